/**
 * Stands in for the `hono` entry point in the Worker bundle (see the `[alias]` in wrangler.toml):
 * Hono's own `hono/tiny` preset, the same `Hono` class with its PatternRouter instead of the
 * default SmartRouter, which carries two routers (RegExpRouter and TrieRouter, about 7 KiB
 * minified) and picks one at the first request. Every router of Hono implements the same route
 * syntax and order (Hono runs one shared test suite against each); PatternRouter matches by one
 * regular expression per route, which for this Worker's routes costs microseconds per request.
 * The Worker imports only `Hono` from `hono` (types aside); esbuild fails the build if it ever
 * imports another name from here.
 */
export { Hono } from "hono/tiny";
