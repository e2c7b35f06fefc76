// The web boundary on the real server (server.ts + Next's production build): body limits before
// any body is read (sign-in included), anti-framing headers on every kind of response, and a
// health endpoint that tells an anonymous caller only whether Dockside is up.
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, signIn, startServer, type TestServer } from "../../test/http-harness";

const MB = 1024 * 1024;
const SIGN_IN = "/api/auth/sign-in/email";
const EMAIL = "boundary@example.com";
const PASSWORD = "correct-horse-boundary";

let server: TestServer;
let pid = 0;

beforeAll(async () => {
  server = await startServer({ databaseUrl: await createDatabase("boundary") });
  pid = serverPid(server.port);
  const r = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD, name: "Boundary" }),
  });
  expect(r.status, await r.text()).toBe(200);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe("request bodies", () => {
  it("answers 413 to a 300 MB sign-in body declared in Content-Length, without reading it", async () => {
    const before = rssBytes(pid);
    const r = await flood(`${server.url}${SIGN_IN}`, { total: 300 * MB, chunked: false });
    expect(r.status).toBe(413);
    const body = JSON.parse(r.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("too_large");
    expect(body.error.message).toMatch(/larger than the 1024 KB .*DOCKSIDE_MAX_BODY_KB/);
    expect(r.sent).toBeLessThan(100 * MB);
    expect(rssBytes(pid) - before).toBeLessThan(100 * MB);
  });

  it("cuts off a chunked sign-in body (no Content-Length) at the limit", async () => {
    const before = rssBytes(pid);
    const r = await flood(`${server.url}${SIGN_IN}`, { total: 300 * MB, chunked: true });
    // The 413 is written before the connection closes; a client still writing may see the reset first.
    if (r.status !== undefined) expect(r.status).toBe(413);
    else expect(r.error).toMatch(/ECONNRESET|EPIPE/);
    expect(r.sent).toBeLessThan(100 * MB);
    expect(rssBytes(pid) - before).toBeLessThan(100 * MB);
    // And the server still serves.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it("still reads normal bodies, chunked or not, and gives review submissions more room", async () => {
    const chunked = await post(SIGN_IN, [`{"email":"${EMAIL}",`, `"password":"${PASSWORD}"}`]);
    expect(chunked.status).toBe(200);
    expect(await signIn(server.url, EMAIL, PASSWORD)).toContain("=");
    // 2 MB is over the default but under the reviews route's own limit: it gets as far as authentication.
    const review = await fetch(`${server.url}/api/sessions/abcdef123456/reviews`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ verdict: "comment", body: "x".repeat(2 * MB) }),
    });
    expect(review.status).toBe(401);
    const other = await fetch(`${server.url}/api/me`, { method: "PATCH", headers: { "content-type": "application/json" }, body: "x".repeat(2 * MB) });
    expect(other.status).toBe(413);
  });
});

describe("framing and content headers", () => {
  it("are on pages, API responses, static files and 404s", async () => {
    const page = await fetch(`${server.url}/sign-in`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = html.match(/\/_next\/static\/[^"']+\.(?:js|css)/)?.[0];
    expect(asset, "the sign-in page links a static asset").toBeTruthy();
    const responses = [page, await fetch(`${server.url}/api/health`), await fetch(`${server.url}${asset}`), await fetch(`${server.url}/no-such-page`), await fetch(`${server.url}/api/sessions`)];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 404, 401]);
    for (const r of responses) {
      expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("referrer-policy")).toBe("same-origin");
    }
  });
});

describe("GET /api/health", () => {
  it("tells an anonymous caller only that Dockside is up, and a signed-in one the details", async () => {
    const anonymous = await fetch(`${server.url}/api/health`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ ok: true });

    const cookie = await signIn(server.url, EMAIL, PASSWORD);
    const full = (await (await fetch(`${server.url}/api/health`, { headers: { cookie } })).json()) as Record<string, unknown>;
    expect(Object.keys(full).sort()).toEqual(["database", "disk", "docker", "engines", "image", "ok", "realtime", "sessionFs"]);
    expect(full.docker).toHaveProperty("address");
  });
});

/** The server.ts process listening on `port` (the harness starts it with PORT in its environment). */
function serverPid(port: number): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmd.includes("server.ts")) continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`PORT=${port}`)) return Number(entry);
    } catch {
      // A process that ended meanwhile.
    }
  }
  throw new Error(`no server.ts process with PORT=${port}`);
}

function rssBytes(processId: number): number {
  const kb = fs.readFileSync(`/proc/${processId}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)?.[1];
  return Number(kb) * 1024;
}

interface Flood {
  status?: number;
  body: string;
  sent: number;
  error?: string;
}

/** POSTs up to `total` bytes as fast as the connection takes them, stopping at the first answer. */
function flood(url: string, opts: { total: number; chunked: boolean }): Promise<Flood> {
  const headers: Record<string, string> = { "content-type": "application/json", origin: new URL(url).origin };
  if (!opts.chunked) headers["content-length"] = String(opts.total);
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    let answered = false;
    const req = http.request(url, { method: "POST", headers });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (d: Buffer) => void (body += d.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode, body, sent });
        req.destroy();
      });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (!answered) resolve({ body: "", sent, error: err.code ?? err.message });
    });
    const pump = () => {
      while (!answered && !req.destroyed && sent < opts.total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

/** A chunked POST (no Content-Length) of small pieces. */
function post(path: string, pieces: string[]): Promise<{ status?: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", origin: server.url, "transfer-encoding": "chunked" } });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => void (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}
