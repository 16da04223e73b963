/**
 * Where a field sits in a config file: the line of the value at a zod issue's path, so
 * `loopgate apply` and `loopgate start --config` can say "loopgate.config.json:14: channels.0.type".
 * JSON: a tiny scanner that records each value's line (it assumes the text already parsed);
 * YAML: the line of the node the parser found at that path.
 */
import { isCollection, LineCounter, type Document } from "yaml";

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

/** Finds the line of a path in one parsed file; `undefined` where the path is not in it. */
export type LineLocator = (path: readonly PropertyKey[]) => number | undefined;

/** The line of the deepest part of `path` present in the file (a missing field points at its parent). */
function deepest(find: LineLocator, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = find(path.slice(0, n));
    if (line !== undefined) return line;
  }
  return undefined;
}

export function jsonLocator(text: string): LineLocator {
  const lines = valueLines(text);
  return (path) => deepest((p) => lines.get(p.map(String).join(".")), path);
}

export function yamlLocator(doc: Document, counter: LineCounter): LineLocator {
  const at = (path: readonly PropertyKey[]) => {
    const node =
      path.length === 0
        ? doc.contents
        : doc.getIn(
            path.map((k) => (typeof k === "symbol" ? String(k) : k)),
            true,
          );
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) return undefined;
    // A block collection under a key starts at its first entry, the line below its key; a list item starts on its dash's line.
    const underKey = typeof path[path.length - 1] === "string";
    return counter.linePos(range[0]).line - (isCollection(node) && underKey && !(node as { flow?: boolean }).flow ? 1 : 0);
  };
  return (path) => deepest(at, path);
}
