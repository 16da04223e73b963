/**
 * Fakes of the two speech-to-text services voice notes go to (src/agent/transcribe.ts), as
 * web-standard fetch handlers: Workers AI's REST endpoint
 * (`POST /client/v4/accounts/{account}/ai/run/@cf/openai/whisper-large-v3-turbo`, bearer token,
 * JSON `{audio: base64}`, answered in Cloudflare's `{result, success, errors, messages}`
 * envelope with Whisper's `text` and `transcription_info.duration`), and an OpenAI-compatible
 * `POST /v1/audio/transcriptions` (bearer key, multipart `file` + `model`, `verbose_json` with
 * `text` and `duration`). A test registers what each audio "says" with `addAudio`; audio it
 * does not know is answered as the real services answer noise: an empty transcript.
 */
import { createHash } from "node:crypto";

export interface SpeechToTextFake {
  handle(request: Request): Promise<Response>;
  /** What the given audio bytes say, and how long they last. */
  addAudio(bytes: Uint8Array, text: string, durationSeconds: number): void;
  /** Every transcription request that passed authentication. */
  readonly requests: { service: "workers-ai" | "openai"; model: string; bytes: number }[];
}

/** Workers AI caps an inference request's body; 25 MB of audio is far below it, larger bodies get 413. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

const cfError = (status: number, code: number, message: string) =>
  Response.json({ result: null, success: false, errors: [{ code, message }], messages: [] }, { status });

export function createSpeechToTextFake(o: { accountId: string; apiToken: string; openAiKey: string }): SpeechToTextFake {
  const known = new Map<string, { text: string; durationSeconds: number }>();
  const requests: SpeechToTextFake["requests"] = [];
  const hash = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  const heard = (bytes: Uint8Array) => known.get(hash(bytes)) ?? { text: "", durationSeconds: 1 };

  async function workersAi(request: Request, model: string): Promise<Response> {
    if (request.headers.get("authorization") !== `Bearer ${o.apiToken}`) return cfError(401, 10000, "Authentication error");
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return cfError(413, 3006, "Request is too large");
    const body = (await request.json().catch(() => null)) as { audio?: unknown } | null;
    if (model !== "@cf/openai/whisper-large-v3-turbo") return cfError(400, 5007, `No such model ${model} or task`);
    if (typeof body?.audio !== "string" || !body.audio) return cfError(400, 5006, "Error: required properties at '/' are 'audio'");
    const bytes = Uint8Array.from(Buffer.from(body.audio, "base64"));
    requests.push({ service: "workers-ai", model, bytes: bytes.length });
    const { text, durationSeconds } = heard(bytes);
    return Response.json({
      result: {
        transcription_info: { language: "en", language_probability: 0.98, duration: durationSeconds, duration_after_vad: durationSeconds },
        text,
        word_count: text ? text.split(/\s+/).length : 0,
        segments: text ? [{ start: 0, end: durationSeconds, text }] : [],
        vtt: `WEBVTT\n\n00:00.000 --> 00:0${Math.min(9, durationSeconds)}.000\n${text}\n`,
      },
      success: true,
      errors: [],
      messages: [],
    });
  }

  async function openAi(request: Request): Promise<Response> {
    if (request.headers.get("authorization") !== `Bearer ${o.openAiKey}`)
      return Response.json({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 });
    const form = await request.formData().catch(() => null);
    const file = form?.get("file");
    const model = form?.get("model");
    if (!form || !(file instanceof File) || typeof model !== "string")
      return Response.json({ error: { message: "Missing required parameters: 'file' and 'model'", type: "invalid_request_error" } }, { status: 400 });
    if (file.size > 25 * 1024 * 1024)
      return Response.json({ error: { message: "Maximum content size limit (26214400) exceeded", type: "invalid_request_error" } }, { status: 413 });
    const bytes = new Uint8Array(await file.arrayBuffer());
    requests.push({ service: "openai", model, bytes: bytes.length });
    const { text, durationSeconds } = heard(bytes);
    if (form.get("response_format") === "verbose_json")
      return Response.json({ task: "transcribe", language: "english", duration: durationSeconds, text, segments: [] });
    return Response.json({ text });
  }

  return {
    requests,
    addAudio(bytes, text, durationSeconds) {
      known.set(hash(bytes), { text, durationSeconds });
    },
    async handle(request) {
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === "/v1/audio/transcriptions") return openAi(request);
      const run = /^\/client\/v4\/accounts\/([^/]+)\/ai\/run\/(.+)$/.exec(path);
      if (request.method === "POST" && run) {
        if (run[1] !== o.accountId) return cfError(403, 10000, "Authentication error");
        return workersAi(request, decodeURIComponent(run[2]!));
      }
      return new Response("not found", { status: 404 });
    },
  };
}
