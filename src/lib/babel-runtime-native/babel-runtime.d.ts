/** Types for the two Babel helpers the stand-ins replace (the package ships none); used by their test. */
declare module "@babel/runtime-corejs3/helpers/esm/defineProperty" {
  export default function defineProperty<T extends object>(target: T, key: PropertyKey, value: unknown): T;
}
declare module "@babel/runtime-corejs3/core-js/instance/trim" {
  export default function trimInstanceProperty(value: string): () => string;
}
