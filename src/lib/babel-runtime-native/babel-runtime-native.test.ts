/// <reference path="./babel-runtime.d.ts" />
/** The native stand-ins behave as the Babel helpers they replace in the Worker bundle. */
import babelDefineProperty from "@babel/runtime-corejs3/helpers/esm/defineProperty";
import babelTrim from "@babel/runtime-corejs3/core-js/instance/trim";
import { describe, expect, it } from "vitest";
import defineProperty from "./define-property";
import trimInstanceProperty from "./trim";

describe("babel runtime stand-ins", () => {
  it("trim returns a method that trims the value it is called on, as Babel's does", () => {
    for (const value of ["  a b  ", "\t\r\nx\u00a0", "", "plain"]) {
      expect(trimInstanceProperty(value).call(value)).toBe(babelTrim(value).call(value));
    }
  });

  it("defineProperty defines a new key and redefines an inherited or existing one, as Babel's does", () => {
    class Base {
      get name(): string {
        return "base";
      }
    }
    for (const helper of [defineProperty, babelDefineProperty]) {
      const fresh = helper({} as Record<string, unknown>, "a", 1);
      expect(fresh).toEqual({ a: 1 });
      expect(Object.getOwnPropertyDescriptor(fresh, "a")).toMatchObject({ enumerable: true, writable: true, configurable: true });
      // A getter on the prototype would swallow a plain assignment: the helper must define an own property.
      const shadowed = helper(new Base() as unknown as Record<string, unknown>, "name", "own");
      expect(shadowed.name).toBe("own");
    }
  });
});
