/**
 * The Discord gateway channel's Worker-side pieces: MESSAGE_CREATE normalisation (DMs, mentions,
 * dmOnly, allowed servers, what is ignored) on the documented message shape, and the reply body
 * (plain content, or an embed within Discord's limits for a structured reply).
 */
import { fetchDiscordAttachment } from "./attachment";
import type { GatewayMessageCreateDispatchData } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { discordGatewayConfigSchema } from "./gateway";
import { normalizeGatewayMessage } from "./gateway-message";
import { discordReplyBody, EMBED_LIMITS, structuredEmbed } from "./reply-body";
import dmFixture from "./fixtures/message-create-dm.json";
import guildFixture from "./fixtures/message-create-guild-mention.json";

const BOT = "1000000000000000001";
const dm = dmFixture as unknown as GatewayMessageCreateDispatchData;
const guild = guildFixture as unknown as GatewayMessageCreateDispatchData;

describe("normalizeGatewayMessage", () => {
  it("makes a DM a conversation with its author, keyed by the message id", () => {
    const n = normalizeGatewayMessage(dm, { botId: BOT });
    expect(n).toEqual({
      kind: "message",
      channelId: dm.channel_id,
      message: {
        senderId: "53908232506183680",
        senderName: "Mason",
        conversationId: dm.channel_id,
        platformMessageId: dm.id,
        text: "Supa Hot",
        attachments: undefined,
        replyContext: { messageId: dm.id },
      },
    });
  });

  it("answers a server mention without the mention, under the member's nick, quoting it", () => {
    const n = normalizeGatewayMessage(guild, { botId: BOT });
    expect(n.kind === "message" && n.message).toMatchObject({
      text: "Supa Hot",
      senderName: "Mase",
      replyContext: { messageId: guild.id, guildId: guild.guild_id },
    });
    const reply = { ...guild, mentions: [], content: "thanks", referenced_message: { ...dm, author: { ...dm.author, id: BOT } } };
    expect(normalizeGatewayMessage(reply as GatewayMessageCreateDispatchData, { botId: BOT }).kind).toBe("message");
  });

  it("ignores chatter, bots, its own messages, system messages, dmOnly and servers not allowed", () => {
    const reason = (m: object, opts: object = {}) => {
      const n = normalizeGatewayMessage(m as GatewayMessageCreateDispatchData, { botId: BOT, ...opts });
      return n.kind === "ignored" ? n.reason : "answered";
    };
    expect(reason({ ...guild, mentions: [], content: "people talking" })).toMatch(/not addressed/);
    expect(reason({ ...dm, author: { ...dm.author, bot: true } })).toMatch(/bot/);
    expect(reason({ ...dm, author: { ...dm.author, id: BOT } })).toMatch(/own/);
    expect(reason({ ...dm, type: 7 })).toMatch(/type 7/);
    expect(reason(guild, { dmOnly: true })).toMatch(/dmOnly/);
    expect(reason(dm, { dmOnly: true })).toBe("answered");
    expect(reason(guild, { guildIds: ["111111111111111111"] })).toMatch(/guildIds/);
    expect(reason(guild, { guildIds: [guild.guild_id] })).toBe("answered");
    // A server message without content (the Message Content intent off) has nothing to answer.
    expect(reason({ ...guild, content: "" })).toMatch(/no text/);
  });

  it("notes attachments in the text and describes them", () => {
    const withFile = {
      ...dm,
      attachments: [{ id: "1", filename: "plan.pdf", size: 20480, url: "https://cdn/x", proxy_url: "https://cdn/x", content_type: "application/pdf" }],
    };
    const n = normalizeGatewayMessage(withFile as GatewayMessageCreateDispatchData, { botId: BOT });
    expect(n.kind === "message" && n.message.text).toBe("Supa Hot\n[attachment: plan.pdf (application/pdf, 20 KiB)]");
    expect(n.kind === "message" && n.message.attachments).toEqual([
      { type: "application/pdf", name: "plan.pdf", url: "discord-cdn:https://cdn/x", size: 20480 },
    ]);
  });

  it("marks a voice message's audio as a voice note with its length, for transcription", () => {
    // Discord's voice messages: flag IS_VOICE_MESSAGE (1 << 13), one audio/ogg attachment with duration_secs and a waveform.
    const voice = {
      ...dm,
      content: "",
      flags: 8192,
      attachments: [
        {
          id: "2",
          filename: "voice-message.ogg",
          size: 9800,
          url: "https://cdn.discordapp.com/attachments/1/2/voice-message.ogg?ex=1&is=2&hm=3&",
          proxy_url: "https://media.discordapp.net/attachments/1/2/voice-message.ogg",
          content_type: "audio/ogg",
          duration_secs: 3.4,
          waveform: "AAAA",
        },
      ],
    };
    const n = normalizeGatewayMessage(voice as GatewayMessageCreateDispatchData, { botId: BOT });
    expect(n.kind === "message" && n.message.attachments).toEqual([
      {
        type: "audio/ogg",
        name: "voice-message.ogg",
        url: "discord-cdn:https://cdn.discordapp.com/attachments/1/2/voice-message.ogg?ex=1&is=2&hm=3&",
        size: 9800,
        voice: true,
        durationSeconds: 3.4,
      },
    ]);
  });
});

describe("discordReplyBody", () => {
  it("sends a plain reply as content, mentions disabled, quoting only when asked", () => {
    expect(discordReplyBody("hello **there**")).toEqual({ content: "hello **there**", allowed_mentions: { parse: [], replied_user: false } });
    expect(discordReplyBody("hi", "42").message_reference).toEqual({ message_id: "42", fail_if_not_exists: false });
  });

  it("turns a reply that opens with a heading into an embed, sections into fields", () => {
    const body = discordReplyBody("# Weekly report\n\n## Done\nShipped the bridge.\n\n## Next\nDocs.");
    expect(body.content).toBeUndefined();
    expect(body.embeds?.[0]).toMatchObject({
      title: "Weekly report",
      fields: [
        { name: "Done", value: "Shipped the bridge." },
        { name: "Next", value: "Docs." },
      ],
    });
    expect(structuredEmbed("# Summary\nAll good, nothing to add.")).toMatchObject({ title: "Summary", description: "All good, nothing to add." });
  });

  it("keeps within Discord's embed limits, falling back to content when a part would not fit", () => {
    expect(structuredEmbed(`# ${"t".repeat(EMBED_LIMITS.title + 1)}\nbody`)).toBeNull();
    const long = structuredEmbed(`# Title\n## Section\n${"v".repeat(EMBED_LIMITS.fieldValue + 1)}`);
    expect(long?.fields).toBeUndefined();
    expect(long?.description?.length).toBeLessThanOrEqual(EMBED_LIMITS.description);
    expect(structuredEmbed("no heading here")).toBeNull();
  });
});

describe("discord-gateway config", () => {
  it("takes guild ids as snowflakes and refuses anything else", () => {
    const base = { bridgeId: "brg_abc123", botToken: "MTAwMDAwMDAwMDAwMDAwMDAwMQ.x.y-token" };
    expect(discordGatewayConfigSchema.safeParse({ ...base, dmOnly: true, guildIds: ["290926798626357999"] }).success).toBe(true);
    expect(discordGatewayConfigSchema.safeParse({ ...base, guildIds: ["general"] }).success).toBe(false);
  });
});

describe("fetchDiscordAttachment", () => {
  it("downloads only from Discord's CDN, without a token, and never from a host a payload names", async () => {
    const seen: { url: string; auth: string | null }[] = [];
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), auth: new Headers(init?.headers).get("authorization") });
      return new Response(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), { headers: { "content-type": "image/jpeg", "content-length": "4" } });
    }) as typeof fetch;
    const cdn = { type: "image/jpeg", url: "discord-cdn:https://cdn.discordapp.com/attachments/1/2/a.jpg?ex=1&is=2&hm=3&" };
    expect(await fetchDiscordAttachment(cdn, { fetch: fetchFn }, 1024)).toMatchObject({ ok: true, mediaType: "image/jpeg" });
    expect(seen).toEqual([{ url: "https://cdn.discordapp.com/attachments/1/2/a.jpg?ex=1&is=2&hm=3&", auth: null }]);
    expect(await fetchDiscordAttachment({ type: "image/jpeg", url: "discord-cdn:https://evil.example/a.jpg" }, { fetch: fetchFn }, 1024)).toMatchObject({
      ok: false,
      error: "attachments are downloaded only from Discord's CDN, not evil.example",
    });
    expect(await fetchDiscordAttachment(cdn, { fetch: fetchFn }, 2)).toMatchObject({ ok: false, reason: "too_large", size: 4 });
    expect(seen).toHaveLength(2);
  });
});
