/**
 * Speech to text for voice notes (pipeline stage 7, before the turn): Workers AI's Whisper
 * through the Worker's AI binding when it has one, else the same model over Cloudflare's REST
 * API (`/accounts/{id}/ai/run/{model}`), or an OpenAI-compatible `/audio/transcriptions`
 * endpoint when one is configured. Each answers a transcript, the audio's length and its cost.
 */
import type { GatewayConfig } from "../config";
import { toBase64 } from "./images";

export type Transcription = { ok: true; text: string; durationSeconds: number; costUsd: number } | { ok: false; error: string };

export interface Transcriber {
  /** Which service, for the feed and the docs' cost table. */
  name: string;
  transcribe(audio: Uint8Array, mediaType: string, fileName: string, declaredSeconds?: number): Promise<Transcription>;
}

/** The slice of the Workers AI binding used here. */
export interface AiBinding {
  run(model: string, input: Record<string, unknown>): Promise<unknown>;
}

/** Workers AI bills $0.011 per 1,000 neurons; Whisper's neurons per audio minute, as its pricing page lists them. */
const USD_PER_NEURON = 0.011 / 1000;
const NEURONS_PER_AUDIO_MINUTE: Record<string, number> = {
  "@cf/openai/whisper-large-v3-turbo": 46.63,
  "@cf/openai/whisper": 41.14,
  "@cf/openai/whisper-tiny-en": 41.14,
};

export function workersAiCostUsd(model: string, seconds: number): number {
  return ((NEURONS_PER_AUDIO_MINUTE[model] ?? NEURONS_PER_AUDIO_MINUTE["@cf/openai/whisper-large-v3-turbo"]!) * USD_PER_NEURON * seconds) / 60;
}

/** whisper-large-v3-turbo takes base64; the older whisper models an array of bytes. */
function workersAiInput(model: string, audio: Uint8Array): Record<string, unknown> {
  return model.includes("large-v3-turbo") ? { audio: toBase64(audio) } : { audio: [...audio] };
}

interface WhisperOutput {
  text?: unknown;
  transcription_info?: { duration?: unknown };
  words?: { end?: unknown }[];
}

/** The audio's length: the model's own figure, else the last word's end, else what the platform declared. */
function durationOf(out: WhisperOutput, declared: number | undefined): number {
  const reported = out.transcription_info?.duration;
  if (typeof reported === "number" && reported > 0) return reported;
  const lastEnd = out.words?.at(-1)?.end;
  if (typeof lastEnd === "number" && lastEnd > 0) return lastEnd;
  return declared ?? 0;
}

function fromWhisper(model: string, out: unknown, declared: number | undefined): Transcription {
  const o = (out ?? {}) as WhisperOutput;
  if (typeof o.text !== "string") return { ok: false, error: "the speech-to-text answer has no text" };
  const seconds = durationOf(o, declared);
  return { ok: true, text: o.text.trim(), durationSeconds: seconds, costUsd: workersAiCostUsd(model, seconds) };
}

export function workersAiBindingTranscriber(ai: AiBinding, model: string): Transcriber {
  return {
    name: `Workers AI ${model}`,
    async transcribe(audio, _type, _name, declared) {
      try {
        return fromWhisper(model, await ai.run(model, workersAiInput(model, audio)), declared);
      } catch (err) {
        return { ok: false, error: `Workers AI: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}

export function workersAiRestTranscriber(o: { baseUrl: string; accountId: string; token: string; model: string; fetch: typeof fetch }): Transcriber {
  const url = `${o.baseUrl.replace(/\/$/, "")}/accounts/${encodeURIComponent(o.accountId)}/ai/run/${o.model}`;
  return {
    name: `Workers AI ${o.model}`,
    async transcribe(audio, _type, _name, declared) {
      let res: Response;
      try {
        res = await o.fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
          body: JSON.stringify(workersAiInput(o.model, audio)),
        });
      } catch {
        return { ok: false, error: "network error reaching Workers AI" };
      }
      const body = (await res.json().catch(() => null)) as { success?: boolean; result?: unknown; errors?: { message?: string }[] } | null;
      if (!res.ok || !body?.success)
        return { ok: false, error: `Workers AI answered HTTP ${res.status}${body?.errors?.[0]?.message ? `: ${body.errors[0].message}` : ""}` };
      return fromWhisper(o.model, body.result, declared);
    },
  };
}

export function openAiTranscriber(o: { baseUrl: string; apiKey: string; model: string; usdPerMinute: number; fetch: typeof fetch }): Transcriber {
  const url = `${o.baseUrl.replace(/\/$/, "")}/audio/transcriptions`;
  return {
    name: `${o.model} at ${new URL(url).host}`,
    async transcribe(audio, mediaType, fileName, declared) {
      const form = new FormData();
      form.set("file", new File([new Uint8Array(audio)], fileName, { type: mediaType }));
      form.set("model", o.model);
      // verbose_json carries the audio's duration, which the cost needs.
      form.set("response_format", "verbose_json");
      let res: Response;
      try {
        res = await o.fetch(url, { method: "POST", headers: { authorization: `Bearer ${o.apiKey}` }, body: form });
      } catch {
        return { ok: false, error: "network error reaching the transcription endpoint" };
      }
      const body = (await res.json().catch(() => null)) as { text?: unknown; duration?: unknown; error?: { message?: string } } | null;
      if (!res.ok || typeof body?.text !== "string")
        return { ok: false, error: `the transcription endpoint answered HTTP ${res.status}${body?.error?.message ? `: ${body.error.message}` : ""}` };
      const seconds = typeof body.duration === "number" ? body.duration : (declared ?? 0);
      return { ok: true, text: body.text.trim(), durationSeconds: seconds, costUsd: (o.usdPerMinute * seconds) / 60 };
    },
  };
}

/** The configured service: an OpenAI-compatible endpoint, else the AI binding, else Workers AI over REST; null when none is. */
export function transcriberFor(cfg: GatewayConfig, ai: AiBinding | undefined, fetchFn: typeof fetch): Transcriber | null {
  if (cfg.TRANSCRIBE_OPENAI_BASE_URL && cfg.TRANSCRIBE_OPENAI_API_KEY)
    return openAiTranscriber({
      baseUrl: cfg.TRANSCRIBE_OPENAI_BASE_URL,
      apiKey: cfg.TRANSCRIBE_OPENAI_API_KEY,
      model: cfg.TRANSCRIBE_OPENAI_MODEL,
      usdPerMinute: cfg.TRANSCRIBE_OPENAI_USD_PER_MINUTE,
      fetch: fetchFn,
    });
  if (ai) return workersAiBindingTranscriber(ai, cfg.TRANSCRIBE_MODEL);
  if (cfg.CLOUDFLARE_ACCOUNT_ID && cfg.CLOUDFLARE_AI_TOKEN)
    return workersAiRestTranscriber({
      baseUrl: cfg.CLOUDFLARE_API_BASE_URL,
      accountId: cfg.CLOUDFLARE_ACCOUNT_ID,
      token: cfg.CLOUDFLARE_AI_TOKEN,
      model: cfg.TRANSCRIBE_MODEL,
      fetch: fetchFn,
    });
  return null;
}
