// The whole configuration, read and validated once. Everything else imports `env`, never process.env.
import path from "node:path";
import { z } from "zod";

const intFrom = (def: number) => z.coerce.number().int().positive().default(def);

function isRedisUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === "redis:" || u.protocol === "rediss:") && u.hostname !== "";
  } catch {
    return false;
  }
}

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOSTNAME: z.string().min(1).default("localhost"),
  DOCKSIDE_PUBLIC_URL: z.string().url().optional(),
  DOCKSIDE_DATA_DIR: z.string().min(1).default("./.data"),
  DATABASE_URL: z.string().url().optional(),
  DOCKSIDE_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  DOCKER_HOST: z.string().optional(),
  /**
   * Several Docker engines, comma-separated (unix:///path or tcp://host:port; TLS from
   * DOCKER_TLS_VERIFY/DOCKER_CERT_PATH). The first is the default engine. Unset: DOCKER_HOST alone.
   * Every engine must see the data directory at the same path (same host, or shared storage).
   */
  DOCKSIDE_DOCKER_HOSTS: z
    .string()
    .optional()
    .refine((v) => !v || v.split(",").map((h) => h.trim()).filter(Boolean).every((h) => /^(unix:\/\/\/.+|tcp:\/\/[^/]+:\d+\/?)$/.test(h)), "each engine must be unix:///path or tcp://host:port"),
  /** Seconds an engine may stay unreachable before its live sessions fail (several engines only). */
  DOCKSIDE_ENGINE_GRACE_S: z.coerce.number().int().positive().default(60),
  DOCKSIDE_IMAGE: z.string().optional(),
  DOCKSIDE_REPO_ROOTS: z.string().optional(),
  DOCKSIDE_MODEL: z.string().min(1).default("claude-sonnet-5-5"),
  /** Overrides the model's context window (tokens) from lib/models/table.ts, e.g. behind a proxy. */
  DOCKSIDE_CONTEXT_TOKENS: z.coerce.number().int().positive().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.string().url().default("https://api.anthropic.com"),
  DOCKSIDE_SANDBOX_MEMORY_MB: intFrom(2048),
  DOCKSIDE_SANDBOX_CPUS: z.coerce.number().positive().default(1),
  DOCKSIDE_SANDBOX_PIDS: intFrom(512),
  // Sandboxes started ahead of sessions, per engine (lib/sandbox/warm-pool.ts). 1 by default: the
  // next session starts without waiting for a container or the worker's boot, for the price of one
  // idle container (a node process, ~40 MB, two loop devices, a uid); a team starting several at
  // once raises it. Under vitest 0: only the pool's own tests pay for one.
  DOCKSIDE_WARM_POOL: z.coerce.number().int().min(0).max(32).default(process.env.VITEST ? 0 : 1),
  // Diagnostics: each session launch appends its steps' timings here (relative: to the data directory).
  DOCKSIDE_START_STEPS_FILE: z.string().optional(),
  /** Sandboxes never get a network interface: egress goes through the proxy, per the repository's policy. */
  DOCKSIDE_SANDBOX_NETWORK: z
    .literal("none", { error: "DOCKSIDE_SANDBOX_NETWORK=bridge is gone: sandboxes reach the network only through the egress proxy; set the repository's or team's egress policy (Settings → Repositories) to allowlist or open" })
    .default("none"),
  DOCKSIDE_SHELL_TIMEOUT_S: intFrom(600),
  DOCKSIDE_MAX_TURNS: intFrom(100),
  /** Idle sandboxes are stopped after this many minutes (0: never). */
  DOCKSIDE_IDLE_STOP_MINUTES: z.coerce.number().int().min(0).default(30),
  /** Sign-ups per minute per client address. */
  DOCKSIDE_AUTH_SIGNUP_LIMIT: intFrom(10),
  DOCKSIDE_TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  /** Disk quota of each session's filesystem (workspace, worker state), in GB. */
  DOCKSIDE_SESSION_DISK_GB: z.coerce.number().positive().default(10),
  /** A running session with no output and no model call for this many minutes raises a "stuck" alert. */
  DOCKSIDE_ALERT_STUCK_MINUTES: intFrom(10),
  /** The same shell command failing this many times in a row (nothing else in between) raises a "looping" alert. */
  DOCKSIDE_ALERT_LOOP_REPEATS: z.coerce.number().int().min(2).default(3),
  /** Running sessions are stopped when the data directory's disk has less free space than this. */
  DOCKSIDE_MIN_FREE_MB: z.coerce.number().int().min(0).default(2048),
  /** Sessions one person may have queued, starting, running or idle at once. */
  DOCKSIDE_MAX_ACTIVE_SESSIONS_PER_USER: intFrom(8),
  /** Sessions one person may create per minute. */
  DOCKSIDE_SESSIONS_PER_MINUTE: intFrom(10),
  /** Largest request body in KiB (routes that need more say so in lib/http/body-limit.ts). */
  DOCKSIDE_MAX_BODY_KB: intFrom(1024),
  /** Tool output stored per session, in MB; the rest is dropped with a note. */
  DOCKSIDE_SESSION_OUTPUT_MB: intFrom(200),
  /** Largest checkpoint bundle a worker may hand over, in MB. */
  DOCKSIDE_CHECKPOINT_MAX_MB: intFrom(1024),
  /** Largest model request body the gateway forwards, in MB. */
  DOCKSIDE_GATEWAY_MAX_BODY_MB: intFrom(8),
  /** Models a session may call besides its own (comma-separated). */
  DOCKSIDE_MODELS: z.string().default(""),
  /** Largest max_tokens the gateway forwards. */
  DOCKSIDE_MAX_OUTPUT_TOKENS: intFrom(32000),
  /** Model calls per minute per session through the gateway. */
  DOCKSIDE_GATEWAY_RPM: intFrom(120),
  /**
   * Names the egress proxy resolves to a fixed address, like curl's --resolve:
   * `registry.test=127.0.0.1:4873,pypi.internal=10.0.0.5:443`. The only way it ever connects to
   * a loopback or private address (tests, internal registries). The allowlist still applies.
   */
  DOCKSIDE_EGRESS_PINS: z.string().default(""),
  /**
   * The CA certificates sandboxes trust, copied into each session at start: by default the host's
   * own bundle, so a TLS-inspecting proxy or an internal registry the host trusts works in the
   * sandbox too. Empty: the image's own bundle.
   */
  DOCKSIDE_CA_BUNDLE: z.string().default("/etc/ssl/certs/ca-certificates.crt"),
  /** 1: webhook URLs may resolve to loopback, private or link-local addresses (else refused: a team must not probe the server's network). */
  DOCKSIDE_WEBHOOK_ALLOW_PRIVATE: z.enum(["0", "1"]).default("0"),
  /** Disk the cached environments (setup snapshots) may take in all, in GB; least recently used go first. */
  DOCKSIDE_ENV_CACHE_GB: z.coerce.number().positive().default(20),
  /** Largest single snapshot a setup may leave, in MB (a bigger one is not cached; the session goes on). */
  DOCKSIDE_ENV_SNAPSHOT_MAX_MB: intFrom(4096),
  /** A setup script is killed after this many seconds (the session fails with its log's tail). */
  DOCKSIDE_SETUP_TIMEOUT_S: intFrom(1800),
  /** Tokens of accepted memory a new session's prompt may carry (most relevant first; the agent recalls the rest). */
  DOCKSIDE_MEMORY_TOKENS: intFrom(2000),
  /** Sessions on a repository since its last consolidation before memory consolidation looks at it again. */
  DOCKSIDE_MEMORY_CONSOLIDATE_AFTER: intFrom(5),
  /** Garbage collection (lib/gc): a stopped session's container is removed after this many hours (a follow-up makes a new one); 0 keeps them. */
  DOCKSIDE_GC_SANDBOX_HOURS: z.coerce.number().min(0).default(24),
  /** A session idle or ended this many days has its workspace image deleted (its branch stays in host.git; a follow-up restores it); 0 keeps them. */
  DOCKSIDE_GC_ARCHIVE_DAYS: z.coerce.number().min(0).default(14),
  /** A repository's mirror is removed when no session used it for this many days and no team registers it; 0 keeps them. */
  DOCKSIDE_GC_MIRROR_DAYS: z.coerce.number().min(0).default(30),
  /**
   * Several instances: live events cross them through this Redis (redis://[user:password@]host:port[/db],
   * rediss:// for TLS) instead of PostgreSQL's LISTEN/NOTIFY. Presence, rate limits and leases stay in PostgreSQL.
   */
  DOCKSIDE_REDIS_URL: z
    .string()
    .optional()
    .refine((v) => !v || isRedisUrl(v), "must be a redis:// or rediss:// URL with a host, e.g. redis://redis.internal:6379/0"),
});

export type Env = z.infer<typeof schema> & { dataDir: string; repoRoots: string[]; publicUrl: string };

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DOCKSIDE_DATA_DIR);
  const repoRoots = (e.DOCKSIDE_REPO_ROOTS ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((r) => path.resolve(r));
  const publicUrl = e.DOCKSIDE_PUBLIC_URL ?? `http://${e.HOSTNAME}:${e.PORT}`;
  return { ...e, dataDir, repoRoots, publicUrl };
}

let cached: Env | undefined;
/** Validated configuration; throws a readable error on a bad environment. */
export function env(): Env {
  cached ??= load();
  return cached;
}
