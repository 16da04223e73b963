/**
 * The bridge's container-run settings, from its environment. The model key and base URL are
 * the bridge's own (ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL on the bridge host): containers
 * never see them. Limits default to the values docs/containers.md lists.
 */
import * as z from "zod";

const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

const schema = z.object({
  AGENT_CONTAINER_IMAGE: z.string().min(1).default("loopgate-agent:latest"),
  MAX_CONCURRENT_CONTAINERS: int(3),
  CONTAINER_TIMEOUT_MS: int(600_000, 1000),
  /** docker --memory (and --memory-swap: no swap beyond it). */
  CONTAINER_MEMORY: z
    .string()
    .regex(/^\d+[bkmg]?$/i, "CONTAINER_MEMORY is a docker size such as 512m")
    .default("512m"),
  CONTAINER_CPUS: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "CONTAINER_CPUS is a number such as 1 or 0.5")
    .default("1"),
  CONTAINER_PIDS_LIMIT: int(128, 8),
  /** Size of the noexec tmpfs at /tmp, MiB. */
  CONTAINER_TMPFS_MB: int(64),
  /** Longest a single run_command may take inside a run. */
  CONTAINER_COMMAND_TIMEOUT_MS: int(120_000, 100),
  /** Bytes of a command's output or a file's content returned to the model. */
  CONTAINER_TOOL_OUTPUT_BYTES: int(16_384, 256),
  /** Workspaces unused this many days are removed (0: never). */
  CONTAINER_WORKSPACE_PRUNE_DAYS: z.coerce.number().min(0).default(30),
  /** Most a sender's workspace may hold, MiB (0: no quota). */
  CONTAINER_WORKSPACE_QUOTA_MB: z.coerce.number().int().min(0).default(1024),
  /** `volume`: a Docker volume, quota measured; `loop`: an ext4 image of the quota's size, enforced by the kernel. */
  CONTAINER_WORKSPACE_FILESYSTEM: z.enum(["volume", "loop"], { error: "CONTAINER_WORKSPACE_FILESYSTEM is volume or loop" }).default("volume"),
  DOCKER_BIN: z.string().min(1).default("docker"),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/, error: "ANTHROPIC_BASE_URL must be an http(s) URL" }).default("https://api.anthropic.com"),
  /** Per model request attempt. */
  AGENT_TIMEOUT_MS: int(120_000, 100),
});

export interface ContainerSettings {
  image: string;
  maxConcurrent: number;
  timeoutMs: number;
  memory: string;
  cpus: string;
  pidsLimit: number;
  tmpfsMb: number;
  commandTimeoutMs: number;
  outputBytes: number;
  docker: string;
  /** Idle time after which a workspace volume is removed; 0 keeps them for ever. */
  workspaceMaxIdleMs: number;
  /** Bytes a workspace may hold before runs are refused; 0: no quota. */
  workspaceQuotaBytes: number;
  /** Where workspaces live: Docker volumes, or loop-mounted ext4 images in the data folder (loop-workspaces.ts). */
  workspaceFilesystem: "volume" | "loop";
  /** Never passed to a container; added to the requests the bridge makes for it. */
  apiKey?: string;
  baseUrl: string;
  modelTimeoutMs: number;
}

export function readContainerSettings(env: Record<string, string | undefined>): { ok: true; settings: ContainerSettings } | { ok: false; error: string } {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join(".")}: ${issue?.message}` };
  }
  const e = parsed.data;
  // The image's size is the quota: without one there is nothing for the filesystem to enforce.
  if (e.CONTAINER_WORKSPACE_FILESYSTEM === "loop" && e.CONTAINER_WORKSPACE_QUOTA_MB < 8)
    return {
      ok: false,
      error: "CONTAINER_WORKSPACE_QUOTA_MB: CONTAINER_WORKSPACE_FILESYSTEM=loop needs a quota of at least 8 (MiB), the size of each workspace's image",
    };
  return {
    ok: true,
    settings: {
      image: e.AGENT_CONTAINER_IMAGE,
      maxConcurrent: e.MAX_CONCURRENT_CONTAINERS,
      timeoutMs: e.CONTAINER_TIMEOUT_MS,
      memory: e.CONTAINER_MEMORY,
      cpus: e.CONTAINER_CPUS,
      pidsLimit: e.CONTAINER_PIDS_LIMIT,
      tmpfsMb: e.CONTAINER_TMPFS_MB,
      commandTimeoutMs: e.CONTAINER_COMMAND_TIMEOUT_MS,
      outputBytes: e.CONTAINER_TOOL_OUTPUT_BYTES,
      docker: e.DOCKER_BIN,
      workspaceMaxIdleMs: Math.round(e.CONTAINER_WORKSPACE_PRUNE_DAYS * 86_400_000),
      workspaceQuotaBytes: e.CONTAINER_WORKSPACE_QUOTA_MB * 1024 * 1024,
      workspaceFilesystem: e.CONTAINER_WORKSPACE_FILESYSTEM,
      apiKey: e.ANTHROPIC_API_KEY,
      baseUrl: e.ANTHROPIC_BASE_URL.replace(/\/$/, ""),
      modelTimeoutMs: e.AGENT_TIMEOUT_MS,
    },
  };
}
