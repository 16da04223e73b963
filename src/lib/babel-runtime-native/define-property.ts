/**
 * Stands in for `@babel/runtime-corejs3/helpers/esm/defineProperty` in the Worker bundle (see
 * the `[alias]` in wrangler.toml): the same helper without core-js-pure's Symbol and
 * property-key polyfills behind it, which the runtime has natively. Babel emits it for class
 * fields: define `key` on `target` as an own, enumerable, writable property.
 */
export default function defineProperty<T extends object>(target: T, key: PropertyKey, value: unknown): T {
  if (key in target) Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  else (target as Record<PropertyKey, unknown>)[key] = value;
  return target;
}
