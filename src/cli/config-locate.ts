/**
 * Where a field sits in a JSON config file: the line of the value at a zod issue's path, so
 * `loopgate apply` and `loopgate start --config` can say "loopgate.config.json:14: channels.0.type".
 * A tiny JSON scanner that records each value's line; it assumes the text already parsed.
 */

/** Line (1-based) of every value, keyed by its path joined with "." (the root is ""). */
export function valueLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) if (text[i++] === "\n") line++;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    skip();
    lines.set(path, line);
    const at = (key: string) => (path ? `${path}.${key}` : key);
    const c = text[i];
    if (c === "{") {
      i++;
      for (skip(); text[i] !== "}" && i < text.length; skip()) {
        if (text[i] === ",") {
          i++;
          continue;
        }
        const key = string();
        skip();
        i++; // the colon
        value(at(key));
      }
      i++;
    } else if (c === "[") {
      i++;
      let index = 0;
      for (skip(); text[i] !== "]" && i < text.length; skip()) {
        if (text[i] === ",") {
          i++;
          continue;
        }
        value(at(String(index++)));
      }
      i++;
    } else if (c === '"') string();
    else while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  value("");
  return lines;
}

/** The line of the deepest part of `path` present in the file (a missing field points at its parent). */
export function lineOf(text: string, path: readonly PropertyKey[]): number | undefined {
  const lines = valueLines(text);
  for (let n = path.length; n >= 0; n--) {
    const line = lines.get(path.slice(0, n).map(String).join("."));
    if (line !== undefined) return line;
  }
  return undefined;
}
