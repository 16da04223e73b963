/**
 * The Anthropic client the agent runtime uses: the SDK's own `BaseAnthropic` (auth, retries off,
 * timeouts, errors) with only the Messages resource attached. `new Anthropic()` builds every API
 * resource (batches, files, models, the whole beta tree), which the bundler then cannot drop;
 * this keeps the Worker bundle to what a conversation needs.
 */
import { BaseAnthropic } from "@anthropic-ai/sdk/client";
import { Messages } from "@anthropic-ai/sdk/resources/messages/messages";

export class MessagesClient extends BaseAnthropic {
  /** `client.messages.create` / `.stream`, as on the full client. */
  messages: Messages = new Messages(this);
}
