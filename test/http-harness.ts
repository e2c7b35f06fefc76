// The real HTTP stack for integration tests: `server.ts` (production build in .next) as a child
// process on a free port, with its own model stub and data directory, on a database of the test
// cluster. Also: a fresh migrated database, and signing in over HTTP for a cookie.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { freePort } from "./free-port";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "../lib/db/migrate";
import { startModelStub, type ModelStub } from "../lib/modelstub/server";
import { removeInstanceSandboxes } from "../lib/sandbox/container";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  stub: ModelStub;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL) and cleans nothing up: a crash, for restart tests. */
  crash(): Promise<void>;
  /** Freezes the process (SIGSTOP) or lets it go on (SIGCONT): a paused VM, a long GC, a debugger. */
  pause(): void;
  resume(): void;
}

export { freePort };

/**
 * A new, migrated database in the test cluster (process.env.DATABASE_URL). A server gets its own:
 * at start-up it recovers every active session it finds, which must not touch other test files' sessions.
 */
export async function createDatabase(prefix = "http"): Promise<string> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set: run under vitest (test/global-setup.ts)");
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  await migrate(url.href, path.join(ROOT, "prisma/migrations"));
  return url.href;
}

/** Starts `node --import tsx server.ts` and waits until /api/health answers. Needs `.next` (scripts/build.sh). */
export async function startServer(opts: { databaseUrl?: string; env?: Record<string, string>; dataDir?: string; stub?: ModelStub } = {}): Promise<TestServer> {
  if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID"))) throw new Error("no production build in .next: run `bash scripts/build.sh` first");
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run under vitest (test/global-setup.ts)");
  const port = await freePort();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "dockside-http-"));
  fs.chmodSync(dataDir, 0o755);
  const stub = opts.stub ?? (await startModelStub());
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "localhost",
      DATABASE_URL: databaseUrl,
      DOCKSIDE_DATA_DIR: dataDir,
      DOCKSIDE_SANDBOX_MEMORY_MB: "512",
      ANTHROPIC_BASE_URL: stub.url,
      ANTHROPIC_API_KEY: "test-key",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => void (out += d.toString()));
  const url = `http://localhost:${port}`;
  const server: TestServer = {
    url,
    port,
    dataDir,
    databaseUrl,
    stub,
    output: () => out,
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      await terminate(child);
      await stub.close();
      await removeInstanceSandboxes(dataDir).catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy(url, child, () => out);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs = 90_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server.ts exited with code ${child.exitCode}:\n${output().slice(-3000)}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`server.ts did not answer /api/health within ${timeoutMs} ms:\n${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Signs in over HTTP (as a browser would) and returns the session cookie as a `cookie` header value. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const r = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw new Error(`sign-in as ${email} failed: ${r.status} ${await r.text()}`);
  const cookies = r.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (!cookies.length) throw new Error(`sign-in as ${email} set no cookie`);
  return cookies.join("; ");
}

export interface ApiRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The route's pattern, e.g. `/api/sessions/[id]/events`. */
  pattern: string;
  /** Whether the handler is wrapped in publicRoute (answers without credentials). */
  public: boolean;
}

/** Every API route handler in app/api, read from the source, so new routes are covered as they appear. */
export function discoverApiRoutes(): ApiRoute[] {
  const apiDir = path.join(ROOT, "app/api");
  const files = (fs.readdirSync(apiDir, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts");
  const out: ApiRoute[] = [];
  for (const file of files) {
    const src = fs.readFileSync(path.join(apiDir, file), "utf8");
    const pattern = `/api/${path.dirname(file).split(path.sep).join("/")}`.replace(/\/\.$/, "");
    for (const m of src.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\s*=\s*(\w+)/g)) {
      out.push({ method: m[1] as ApiRoute["method"], pattern, public: m[2] === "publicRoute" });
    }
    for (const m of src.matchAll(/export \{([^}]*)\}/g)) {
      for (const name of m[1].matchAll(/as (GET|POST|PUT|PATCH|DELETE)\b/g)) out.push({ method: name[1] as ApiRoute["method"], pattern, public: true });
    }
  }
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern) || a.method.localeCompare(b.method));
}

/** Fills a route pattern's `[param]` segments. */
export function fillRoute(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, name: string) => encodeURIComponent(params[name] ?? "abcdef123456"));
}
