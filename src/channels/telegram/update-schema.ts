/**
 * The shape of a Telegram Update, as far as the adapter reads it (stage 1, before
 * normalisation). Every field update.ts touches is checked here with its documented type
 * (https://core.telegram.org/bots/api#update), so a signed but malformed update (a number where
 * the text belongs, an object for a list) is refused with a 400 instead of crashing the handler.
 * Unknown fields pass through: Telegram adds fields over time.
 */
import * as z from "zod";

const int = z.number().int();
const user = z.looseObject({
  id: int,
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
const entity = z.looseObject({ type: z.string(), offset: int.nonnegative(), length: int.nonnegative(), user: user.optional() });
const file = { file_id: z.string(), file_size: int.optional() };

const message = z.looseObject({
  message_id: int,
  chat: z.looseObject({ id: int, type: z.string().optional() }),
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entity).optional(),
  caption_entities: z.array(entity).optional(),
  reply_to_message: z.looseObject({ from: user.optional() }).optional(),
  photo: z.array(z.looseObject(file)).optional(),
  document: z.looseObject({ ...file, file_name: z.string().optional(), mime_type: z.string().optional() }).optional(),
  voice: z.looseObject({ ...file, duration: z.number(), mime_type: z.string().optional() }).optional(),
  audio: z.looseObject({ ...file, duration: z.number(), title: z.string().optional(), file_name: z.string().optional() }).optional(),
  video: z.looseObject({ ...file, duration: z.number() }).optional(),
  sticker: z.looseObject({ ...file, emoji: z.string().optional() }).optional(),
});

/** A button press (https://core.telegram.org/bots/api#callbackquery); approval.ts reads these fields. */
const callbackQuery = z.looseObject({
  id: z.string(),
  from: user,
  data: z.string().optional(),
  message: z.looseObject({ message_id: int, chat: z.looseObject({ id: int }), text: z.string().optional() }).optional(),
});

/** The fields the adapter reads before trusting the rest of an update. */
export const updateSchema = z.looseObject({ update_id: int, message: message.optional(), callback_query: callbackQuery.optional() });
