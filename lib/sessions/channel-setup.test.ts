// The setup routes of the worker channel, over a real Unix socket against recording handlers: the
// plan, the cached environment streamed out, a snapshot streamed in (bounded, host-only, one at a
// time) and the end of setup.
process.env.DOCKSIDE_ENV_SNAPSHOT_MAX_MB = "1";

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import type { SetupDone, SetupPlan } from "../protocol/worker";
import { openChannel, type Channel, type ChannelHandlers } from "./channel";

const MB = 1024 * 1024;
const KEY = "a".repeat(64);
const base = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-channel-setup-"));
const runDir = path.join(base, "run");
const tmpDir = path.join(base, "tmp");
const socket = path.join(runDir, "host.sock");

const PLAN: SetupPlan = { run: "script", key: KEY, source: "team", script: "npm ci\n", env: { NPM_TOKEN: "x" }, timeoutS: 60 };
const got = {
  uploads: [] as { key: string; ms: number; file: string; bytes: Buffer; mode: number }[],
  done: [] as SetupDone[],
  environmentFile: null as string | null,
  /** What environmentUploaded does with the file: leave it, move it, refuse it, or wait. */
  onUpload: "leave" as "leave" | "move" | "refuse" | Promise<void>,
};

const handlers: ChannelHandlers = {
  config: () => {
    throw new Error("not in this test");
  },
  rate: () => 0,
  events: async () => 0,
  commands: async () => [],
  tmpDir,
  checkpoint: async () => {},
  opDone: async () => {},
  model: async () => {},
  setupPlan: async () => PLAN,
  permissions: async () => {
    throw new Error("not in this test");
  },
  requestApproval: async () => {
    throw new Error("not in this test");
  },
  remember: async () => {
    throw new Error("not in this test");
  },
  recall: async () => ({ entries: [] }),
  report: async () => {},
  approval: async () => {
    throw new Error("not in this test");
  },
  environmentFile: async () => got.environmentFile,
  environmentUploaded: async (key, ms, file) => {
    const st = fs.lstatSync(file);
    got.uploads.push({ key, ms, file, bytes: fs.readFileSync(file), mode: st.mode & 0o777 });
    const what = got.onUpload;
    if (what === "refuse") throw new AppError("invalid", "the environment's key is not the one this session's setup plan gave");
    if (what === "move") fs.renameSync(file, path.join(base, "kept.tar"));
    if (what instanceof Promise) await what;
  },
  setupDone: async (d) => void got.done.push(d),
};

let channel: Channel;
beforeAll(async () => {
  fs.mkdirSync(runDir, { mode: 0o700 });
  channel = await openChannel(runDir, handlers);
});
afterAll(async () => {
  await channel?.close();
  fs.rmSync(base, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): { error?: string; ok?: boolean } & Record<string, unknown>;
}

/** One request; `body` a Buffer (sent with its length) or an iterable of chunks (sent chunked). */
function request(method: string, url: string, body?: Buffer | string | Buffer[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const req = http.request({ socketPath: socket, method, path: url, agent: false, headers: { host: "dockside-host", ...(chunked ? { "transfer-encoding": "chunked" } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () => {
        const buf = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString("utf8")) });
      });
      res.on("error", reject);
    });
    // A refused upload may be cut off while it is still being sent: the answer came first.
    req.on("error", (err) => ((err as NodeJS.ErrnoException).code === "EPIPE" || (err as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(err)));
    if (chunked) {
      for (const c of body) req.write(c);
      req.end();
    } else req.end(body);
  });
}

const leftovers = () => (fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir) : []);

describe("GET /worker/setup and POST /worker/setup/done", () => {
  it("hands out the plan and takes the report", async () => {
    const plan = await request("GET", "/worker/setup");
    expect(plan.status).toBe(200);
    expect(plan.json()).toEqual(PLAN);

    const done = await request("POST", "/worker/setup/done", JSON.stringify({ ok: true, state: "cached" }));
    expect(done.status).toBe(200);
    expect(got.done).toEqual([{ ok: true, state: "cached" }]);
    for (const bad of ['{"ok": "yes", "state": "ok"}', '{"ok": true, "state": "done"}', '{"ok": true, "state": "ok", "extra": 1}', "not json"]) {
      const r = await request("POST", "/worker/setup/done", bad);
      expect(`${bad} ${r.status}`).toBe(`${bad} 422`);
    }
    expect(got.done).toHaveLength(1);
  });
});

describe("GET /worker/environment", () => {
  it("answers 404 when the plan has no cached environment, or its file is gone", async () => {
    got.environmentFile = null;
    const none = await request("GET", "/worker/environment");
    expect(none.status).toBe(404);
    expect(none.json().error).toMatch(/no cached environment/);
    got.environmentFile = path.join(base, "evicted.tar");
    expect((await request("GET", "/worker/environment")).status).toBe(404);
  });

  it("streams the file with its length, and survives a worker hanging up half-way", async () => {
    const file = path.join(base, "env.tar");
    const bytes = crypto.randomBytes(3 * MB);
    fs.writeFileSync(file, bytes, { mode: 0o600 });
    got.environmentFile = file;
    const r = await request("GET", "/worker/environment");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/x-tar");
    expect(r.headers["content-length"]).toBe(String(bytes.length));
    expect(r.body.equals(bytes)).toBe(true);

    const big = path.join(base, "big.tar");
    fs.writeFileSync(big, Buffer.alloc(64 * MB));
    got.environmentFile = big;
    const fds = () => fs.readdirSync("/proc/self/fd").length;
    const before = fds();
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: socket, method: "GET", path: "/worker/environment", agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (err) => ((err as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(err)));
      req.end();
    });
    // The host closes its file once the worker is gone, and goes on serving.
    for (let i = 0; i < 50 && fds() > before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fds()).toBeLessThanOrEqual(before);
    got.environmentFile = file;
    expect((await request("GET", "/worker/environment")).body.equals(bytes)).toBe(true);
    expect(fs.existsSync(big)).toBe(true);
  });
});

describe("POST /worker/environment", () => {
  it("refuses a key that is not 64 hex digits, or a bad duration (422), before reading anything", async () => {
    for (const q of ["key=abc&ms=1", `key=${KEY.toUpperCase()}&ms=1`, `key=${KEY}`, `key=${KEY}&ms=-1`, `key=${KEY}&ms=1.5`, `key=${KEY}&ms=1&x=1`, `key=${KEY}/../x&ms=1`]) {
      const r = await request("POST", `/worker/environment?${q}`, Buffer.from("tar"));
      expect(`${q} ${r.status}`).toBe(`${q} 422`);
    }
    expect(got.uploads).toEqual([]);
  });

  it("answers 413 past DOCKSIDE_ENV_SNAPSHOT_MAX_MB, declared or chunked, and leaves no file", async () => {
    const declared = await request("POST", `/worker/environment?key=${KEY}&ms=5`, Buffer.alloc(MB + 1));
    expect(declared.status).toBe(413);
    const chunked = await request("POST", `/worker/environment?key=${KEY}&ms=5`, Array.from({ length: 5 }, () => Buffer.alloc(MB / 2)));
    expect(chunked.status).toBe(413);
    expect(got.uploads).toEqual([]);
    expect(leftovers()).toEqual([]);
  });

  it("hands a host-only file to the handler, and removes it afterwards unless it was moved", async () => {
    const bytes = crypto.randomBytes(MB);
    got.onUpload = "leave";
    const r = await request("POST", `/worker/environment?key=${KEY}&ms=4321`, bytes);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ ok: true });
    const [u] = got.uploads.splice(0);
    expect(u).toMatchObject({ key: KEY, ms: 4321, mode: 0o600 });
    expect(u.bytes.equals(bytes)).toBe(true);
    expect(path.dirname(u.file)).toBe(tmpDir);
    expect(fs.statSync(tmpDir).mode & 0o777).toBe(0o700);
    expect(leftovers()).toEqual([]);

    got.onUpload = "move";
    expect((await request("POST", `/worker/environment?key=${KEY}&ms=1`, Array.from({ length: 4 }, () => Buffer.from("chunk")))).status).toBe(200);
    expect(fs.readFileSync(path.join(base, "kept.tar"), "utf8")).toBe("chunkchunkchunkchunk");
    got.uploads.splice(0);
  });

  it("answers the handler's refusal (422) and removes the file", async () => {
    got.onUpload = "refuse";
    const r = await request("POST", `/worker/environment?key=${"b".repeat(64)}&ms=1`, Buffer.from("tar"));
    expect(r.status).toBe(422);
    expect(r.json().error).toMatch(/not the one this session's setup plan gave/);
    expect(leftovers()).toEqual([]);
    got.uploads.splice(0);
  });

  it("takes one upload at a time (a checkpoint included): 429 with retry-after", async () => {
    let release!: () => void;
    got.onUpload = new Promise<void>((r) => (release = r));
    const first = request("POST", `/worker/environment?key=${KEY}&ms=1`, Buffer.from("first"));
    for (let i = 0; i < 100 && !got.uploads.length; i++) await new Promise((r) => setTimeout(r, 20));
    const second = await request("POST", `/worker/environment?key=${KEY}&ms=1`, Buffer.from("second"));
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBe("1");
    const checkpoint = await request("POST", `/worker/checkpoint?sha=${"c".repeat(40)}`, Buffer.from("bundle"));
    expect(checkpoint.status).toBe(429);
    release();
    expect((await first).status).toBe(200);
    got.onUpload = "leave";
    expect((await request("POST", `/worker/environment?key=${KEY}&ms=1`, Buffer.from("third"))).status).toBe(200);
    expect(leftovers()).toEqual([]);
  });
});
