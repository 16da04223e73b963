/** The bot token every Slack channel needs, Events API and Socket Mode alike. */
import * as z from "zod";

export const slackBotToken = z
  .string()
  .regex(/^xox[bp]-[\w-]+$/, "botToken must be a Slack bot token (xoxb-...)")
  .meta({ title: "Bot token" })
  .describe(
    "api.slack.com/apps → your app → OAuth & Permissions → Bot User OAuth Token (xoxb-...), after installing the app with the scopes chat:write, im:history, app_mentions:read.",
  );
