/**
 * A multipart form's fields in order, for the platform fakes that read uploads (Telegram's
 * sendPhoto, Slack's upload URL, Discord's `files[n]`): the Workers types give FormData no
 * iterator, so the fields are collected with forEach.
 */
export function formEntries(form: FormData): [string, string | File][] {
  const entries: [string, string | File][] = [];
  form.forEach((value, key) => {
    entries.push([key, value]);
  });
  return entries;
}
