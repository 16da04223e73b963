/**
 * Files the code-execution server tool created during a container run (docs/media.md): the
 * bridge's model proxy noted their ids in the API's answers (never in what the container says),
 * and once the run has answered they are downloaded here with the Files API and the bridge's
 * own key, which the container never sees. They join the files the agent sent with send_file,
 * after them and within the same limits (src/lib/created-files.ts, shared with direct turns).
 * A file that cannot be had is skipped and reported with the result, never fatal.
 */
import type { ContainerTurnResult } from "../../../src/protocol/container";
import { MAX_SKIPPED_FILES } from "../../../src/protocol/container";
import type { AgentFile } from "../../../src/lib/agent-files";
import { downloadCreatedFiles } from "../../../src/lib/created-files";
import type { ContainerSettings } from "./settings";

export interface RunFiles {
  files: AgentFile[];
  skippedFiles?: ContainerTurnResult["skippedFiles"];
  /** For the run's error field: skipped files past those the result names. */
  unnamed?: string;
}

/** The send_file files, then the created ones that fit after them. */
export async function withCreatedFiles(
  sent: AgentFile[],
  createdIds: readonly string[],
  settings: Pick<ContainerSettings, "apiKey" | "baseUrl" | "modelTimeoutMs">,
  signal: AbortSignal,
): Promise<RunFiles> {
  if (!createdIds.length) return { files: sent };
  if (!settings.apiKey)
    return report(
      sent,
      createdIds.map((fileId) => ({ fileId, reason: "the bridge has no ANTHROPIC_API_KEY" })),
    );
  const made = await downloadCreatedFiles(
    {
      apiKey: settings.apiKey,
      baseURL: settings.baseUrl,
      // Each request bounded like a model request; stopping the bridge or cancelling the run stops them.
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(settings.modelTimeoutMs)]) }),
    },
    createdIds,
    { files: sent.length, bytes: sent.reduce((sum, f) => sum + f.size, 0) },
  );
  return report([...sent, ...made.files], made.skipped);
}

function report(files: AgentFile[], skipped: { fileId: string; reason: string }[]): RunFiles {
  if (!skipped.length) return { files };
  const named = skipped.slice(0, MAX_SKIPPED_FILES).map((s) => ({ fileId: s.fileId.slice(0, 200), reason: s.reason.slice(0, 500) }));
  const rest = skipped.length - named.length;
  return { files, skippedFiles: named, ...(rest > 0 ? { unnamed: `${rest} more created files skipped` } : {}) };
}
