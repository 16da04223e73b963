/**
 * Stands in for `@babel/runtime-corejs3/core-js/instance/trim` in the Worker bundle (see the
 * `[alias]` in wrangler.toml). mimetext's build calls that helper, which pulls in core-js-pure's
 * polyfills (about 40 KiB minified) for a method every runtime the Worker runs on has natively.
 * The helper's contract: given a value, return its `trim` method, to be called with `.call(value)`.
 */
export default function trimInstanceProperty(value: string): () => string {
  return value.trim;
}
