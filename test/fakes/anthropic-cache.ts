/**
 * Prompt caching as the fake Messages API measures it. A request is a sequence of blocks in
 * prefix order (tools, system, then each message's content blocks); each block's canonical form
 * is its JSON without `cache_control`, tagged with its place and role. A breakpoint caches the
 * prefix up to its block; a later request reads the longest cached prefix found at one of its
 * breakpoints or up to 20 blocks before one (the documented lookback). Entries live 5 minutes
 * (or 1 hour), refreshed on every hit. Tokens are estimated at 4 bytes each; an image block
 * counts by its pixel size (image-info.ts) and is keyed on a hash of its bytes.
 */
import { createHash } from "node:crypto";
import { imageInfo, imageTokens } from "./image-info";

type Json = Record<string, unknown>;

export interface CacheOutcome {
  totalTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  inputTokens: number;
  /** The canonical bytes of the whole prompt, and of the prefix up to its last breakpoint. */
  canonical: string;
  cachedPrefix: string;
}

const LOOKBACK_BLOCKS = 20;
const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;

export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

interface Block {
  canonical: string;
  tokens: number;
  ttl: "5m" | "1h" | null;
}

/** An image's canonical form names its bytes by hash (the same picture hits the same entry). */
function canonicalOf(where: string, block: unknown): { canonical: string; tokens: number } {
  const b = strip(block) as Json;
  const src = typeof b === "object" && b !== null && b.type === "image" ? (b.source as Json | undefined) : undefined;
  if (!src || typeof src.data !== "string") {
    const canonical = `${where}:${JSON.stringify(b)}\n`;
    return { canonical, tokens: estimateTokens(canonical) };
  }
  const bytes = Buffer.from(src.data, "base64");
  const canonical = `${where}:${JSON.stringify({ ...b, source: { ...src, data: createHash("sha256").update(bytes).digest("hex") } })}\n`;
  return { canonical, tokens: imageTokens(imageInfo(bytes)) };
}

function strip(block: unknown): unknown {
  if (typeof block !== "object" || block === null) return block;
  const { cache_control: _, ...rest } = block as Json;
  return rest;
}

function ttlOf(block: unknown): "5m" | "1h" | null {
  const cc = typeof block === "object" && block !== null ? (block as Json).cache_control : undefined;
  if (typeof cc !== "object" || cc === null) return null;
  return (cc as Json).ttl === "1h" ? "1h" : "5m";
}

/** The request as an ordered block list (the part of the prompt the cache is keyed on). */
export function promptBlocks(body: Json): Block[] {
  const blocks: Block[] = [];
  const push = (where: string, b: unknown) => blocks.push({ ...canonicalOf(where, b), ttl: ttlOf(b) });
  if (Array.isArray(body.tools)) for (const t of body.tools) push("tool", t);
  if (typeof body.system === "string") push("system", { type: "text", text: body.system });
  else if (Array.isArray(body.system)) for (const s of body.system) push("system", s);
  for (const m of (body.messages as Json[]) ?? []) {
    const content = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content as unknown[]);
    for (const b of content) push(String(m.role), b);
  }
  return blocks;
}

export class PromptCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly minCacheableTokens: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies one request: finds what it reads, stores what it writes, returns its usage split. */
  process(body: Json): CacheOutcome {
    const blocks = promptBlocks(body);
    const model = String(body.model);
    const hashes: string[] = [];
    const cumulative: number[] = [];
    let hash = createHash("sha256").update(`model:${model}`).digest("hex");
    let tokens = 0;
    for (const b of blocks) {
      hash = createHash("sha256").update(hash).update(b.canonical).digest("hex");
      tokens += b.tokens;
      hashes.push(hash);
      cumulative.push(tokens);
    }
    const breakpoints = blocks.flatMap((b, i) => (b.ttl ? [i] : []));
    const t = this.now();
    for (const [key, expires] of this.entries) if (expires <= t) this.entries.delete(key);

    let readUpTo = -1;
    for (const bp of breakpoints) {
      for (let i = bp; i >= Math.max(0, bp - LOOKBACK_BLOCKS + 1); i--) {
        if (this.entries.has(hashes[i]!)) {
          readUpTo = Math.max(readUpTo, i);
          break;
        }
      }
    }
    const read = readUpTo >= 0 ? cumulative[readUpTo]! : 0;
    let written = 0;
    let written1h = 0;
    let lastCached = -1;
    for (const bp of breakpoints) {
      if (cumulative[bp]! < this.minCacheableTokens) continue;
      const ttl = blocks[bp]!.ttl!;
      this.entries.set(hashes[bp]!, t + TTL_MS[ttl]);
      if (bp > readUpTo && bp > lastCached) {
        const from = Math.max(readUpTo >= 0 ? cumulative[readUpTo]! : 0, lastCached >= 0 ? cumulative[lastCached]! : 0);
        written += cumulative[bp]! - from;
        if (ttl === "1h") written1h += cumulative[bp]! - from;
        lastCached = bp;
      }
    }
    if (readUpTo >= 0) this.entries.set(hashes[readUpTo]!, t + TTL_MS["5m"]);
    const total = cumulative.at(-1) ?? 0;
    const lastBreakpoint = breakpoints.at(-1);
    return {
      totalTokens: total,
      cacheReadTokens: read,
      cacheWriteTokens: written,
      cacheWrite1hTokens: written1h,
      inputTokens: total - read - written,
      canonical: blocks.map((b) => b.canonical).join(""),
      cachedPrefix:
        lastBreakpoint === undefined
          ? ""
          : blocks
              .slice(0, lastBreakpoint + 1)
              .map((b) => b.canonical)
              .join(""),
    };
  }
}
