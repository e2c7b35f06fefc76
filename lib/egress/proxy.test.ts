// The egress proxy over a real Unix socket, with real local upstreams reached through pins: an
// HTTP server (for absolute-form requests) and a TCP echo (for CONNECT tunnels).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Addr } from "./decide";
import { parsePins } from "./pins";
import { startEgressProxy, type Blocked, type EgressProxy, type EgressProxyOptions, type EgressRule } from "./proxy";

let dir = "";
let httpUp: http.Server;
let echoUp: net.Server;
let hangUp: http.Server;
let httpPort = 0;
let echoPort = 0;
let deadPort = 0;
const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

const listen = (s: net.Server) => new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as net.AddressInfo).port)));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-"));
  httpUp = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.setHeader("x-upstream", "yes");
      res.setHeader("keep-alive", "timeout=99");
      res.end(`hello ${req.url}`);
    });
  });
  httpPort = await listen(httpUp);
  echoUp = net.createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  echoPort = await listen(echoUp);
  // Sends its headers and part of a body, then never finishes.
  hangUp = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("partial");
  });
  const hangPort = await listen(hangUp);
  const dead = net.createServer();
  deadPort = await listen(dead);
  await new Promise((r) => dead.close(r));
  pins = parsePins(
    [
      `allowed.test=127.0.0.1:${httpPort}`,
      `echo.allowed.test=127.0.0.1:${echoPort}`,
      `hang.allowed.test=127.0.0.1:${hangPort}`,
      `dead.allowed.test=127.0.0.1:${deadPort}`,
      `evilallowed.test=127.0.0.1:${echoPort}`,
      `allowed.test.evil.com=127.0.0.1:${echoPort}`,
      `pinned.open.test=127.0.0.1:${echoPort}`,
    ].join(","),
  );
});

afterAll(async () => {
  hangUp.closeAllConnections();
  await Promise.all([httpUp, echoUp, hangUp].map((s) => new Promise((r) => s.close(r))));
  fs.rmSync(dir, { recursive: true, force: true });
});

let pins: ReturnType<typeof parsePins>;
const ALLOW = ["allowed.test", "*.allowed.test"];
let rule: EgressRule;
let blocked: Blocked[];
const proxies: EgressProxy[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function start(extra: Partial<EgressProxyOptions> = {}): Promise<{ proxy: EgressProxy; sock: string }> {
  rule = { phase: "agent", mode: "allowlist", allow: ALLOW };
  blocked = [];
  const sock = path.join(dir, `p${n++}.sock`);
  const proxy = await startEgressProxy({ socketPath: sock, rule: () => rule, onBlocked: (b) => blocked.push(b), pins, ...extra });
  proxies.push(proxy);
  return { proxy, sock };
}

interface Tunnel {
  status: number;
  socket: net.Socket;
  /** The rest of the answer (a refusal's text) until the proxy closes. */
  rest(): Promise<string>;
}

function connect(sock: string, authority: string, host: string | null = authority): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method: "CONNECT", path: authority, headers: host === null ? {} : { host }, setHost: false });
    req.on("connect", (res, socket: net.Socket, head: Buffer) => {
      const rest = () =>
        new Promise<string>((done) => {
          const chunks = [head];
          socket.on("data", (c) => chunks.push(c));
          socket.on("error", () => {});
          socket.on("close", () => done(Buffer.concat(chunks).toString()));
        });
      resolve({ status: res.statusCode ?? 0, socket, rest });
    });
    req.on("error", reject);
    req.end();
  });
}

async function echo(socket: net.Socket, text: string): Promise<string> {
  socket.write(text);
  return new Promise((resolve) => socket.once("data", (d) => resolve(d.toString())));
}

function request(sock: string, method: string, target: string, headers: http.OutgoingHttpHeaders, body?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method, path: target, headers, setHost: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Raw bytes in, whatever comes back until the proxy closes (or 2 s). */
function raw(sock: string, bytes: Buffer | string, end = false): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(sock);
    const chunks: Buffer[] = [];
    s.on("data", (c) => chunks.push(c));
    s.on("error", () => {});
    const timer = setTimeout(() => s.destroy(), 2_000);
    s.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    s.write(bytes);
    if (end) s.end();
  });
}

const waitFor = async (cond: () => boolean, ms = 2_000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("egress proxy: allowed traffic", () => {
  it("listens on a 0600 socket, replacing a stale socket but never a file", async () => {
    const { sock } = await start();
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    const file = path.join(dir, "not-a-socket");
    fs.writeFileSync(file, "x");
    await expect(startEgressProxy({ socketPath: file, rule: () => rule, onBlocked: () => {} })).rejects.toThrow(/not a socket/);
    fs.symlinkSync(file, path.join(dir, "link.sock"));
    await expect(startEgressProxy({ socketPath: path.join(dir, "link.sock"), rule: () => rule, onBlocked: () => {} })).rejects.toThrow(/not a socket/);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
    // A socket left by a crashed run is replaced.
    const stale = path.join(dir, "stale.sock");
    const old = net.createServer();
    await new Promise<void>((r) => old.listen(stale, r));
    const p = await startEgressProxy({ socketPath: stale, rule: () => rule, onBlocked: () => {} });
    old.close();
    await p.close();
    expect(fs.existsSync(stale)).toBe(false);
  });

  it("tunnels CONNECT to an allowlisted pinned host (the pin's port replaces the requested one)", async () => {
    const { proxy, sock } = await start();
    const t = await connect(sock, "echo.allowed.test:443");
    expect(t.status).toBe(200);
    expect(await echo(t.socket, "ping")).toBe("ping");
    expect(proxy.stats()).toMatchObject({ allowed: 1, blocked: 0, open: 1 });
    t.socket.destroy();
    await waitFor(() => proxy.stats().open === 0);
    expect(blocked).toEqual([]);
  });

  it("forwards an absolute-form GET with the URL's Host and without hop-by-hop or Proxy-* headers", async () => {
    const { sock } = await start();
    seen.length = 0;
    const res = await request(sock, "GET", "http://allowed.test/x?y=1#frag", {
      host: "allowed.test",
      "proxy-authorization": "Basic c2VjcmV0",
      "proxy-connection": "keep-alive",
      connection: "keep-alive, x-drop",
      "x-drop": "1",
      "x-keep": "2",
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe("hello /x?y=1");
    expect(res.headers["x-upstream"]).toBe("yes");
    expect(res.headers["keep-alive"]).not.toBe("timeout=99");
    expect(seen[0].url).toBe("/x?y=1");
    expect(seen[0].headers.host).toBe("allowed.test");
    expect(seen[0].headers["x-keep"]).toBe("2");
    for (const h of ["proxy-authorization", "proxy-connection", "x-drop"]) expect(seen[0].headers[h]).toBeUndefined();
  });

  it("forwards a chunked POST body, and keeps a non-default port in the upstream Host", async () => {
    const { sock } = await start();
    seen.length = 0;
    const res = await request(sock, "POST", "http://allowed.test:8080/post", { host: "allowed.test:8080", "transfer-encoding": "chunked" }, "body-bytes");
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/post", body: "body-bytes" });
    expect(seen[0].headers.host).toBe("allowed.test:8080");
  });

  it("normalizes uppercase and a trailing dot before matching (and in the upstream Host)", async () => {
    const { sock } = await start();
    seen.length = 0;
    const t = await connect(sock, "ECHO.Allowed.Test.:443");
    expect(t.status).toBe(200);
    t.socket.destroy();
    const res = await request(sock, "GET", "http://ALLOWED.TEST./", { host: "allowed.test." });
    expect(res.status).toBe(200);
    expect(seen[0].headers.host).toBe("allowed.test");
  });

  it("answers 502 (not a blocked event) when the upstream refuses the connection", async () => {
    const { sock } = await start();
    const t = await connect(sock, "dead.allowed.test:443");
    expect(t.status).toBe(502);
    expect(await t.rest()).toMatch(/cannot connect/);
    const res = await request(sock, "GET", "http://dead.allowed.test/", { host: "dead.allowed.test" });
    expect(res.status).toBe(502);
    expect(blocked).toEqual([]);
  });
});

describe("egress proxy: policy", () => {
  it("refuses a host off the allowlist with 403 and reports host, port, phase and reason", async () => {
    const { proxy, sock } = await start();
    const t = await connect(sock, "evil.test:443");
    expect(t.status).toBe(403);
    expect(await t.rest()).toMatch(/evil\.test:443: not on the allowlist/);
    const res = await request(sock, "GET", "http://evil.test:8080/", { host: "evil.test:8080" });
    expect(res.status).toBe(403);
    expect(res.body).toBe("Dockside egress proxy refused evil.test:8080: not on the allowlist\n");
    expect(blocked).toEqual([
      { host: "evil.test", port: 443, phase: "agent", reason: "not on the allowlist" },
      { host: "evil.test", port: 8080, phase: "agent", reason: "not on the allowlist" },
    ]);
    expect(proxy.stats()).toMatchObject({ allowed: 0, blocked: 2, open: 0 });
  });

  it("refuses everything when the mode is none, pinned names included", async () => {
    const { sock } = await start();
    rule = { phase: "setup", mode: "none", allow: ALLOW };
    const t = await connect(sock, "echo.allowed.test:443");
    expect(t.status).toBe(403);
    const res = await request(sock, "GET", "http://allowed.test/", { host: "allowed.test" });
    expect(res.status).toBe(403);
    expect(blocked.map((b) => b.reason)).toEqual(["egress is off for the setup (policy none)", "egress is off for the setup (policy none)"]);
    expect(blocked[0].phase).toBe("setup");
  });

  it("reads the rule on every request (setup → agent)", async () => {
    const { sock } = await start();
    rule = { phase: "setup", mode: "allowlist", allow: ALLOW };
    expect((await request(sock, "GET", "http://allowed.test/", { host: "allowed.test" })).status).toBe(200);
    rule = { phase: "agent", mode: "none", allow: ALLOW };
    expect((await request(sock, "GET", "http://allowed.test/", { host: "allowed.test" })).status).toBe(403);
    expect(blocked).toEqual([{ host: "allowed.test", port: 80, phase: "agent", reason: "egress is off for the agent (policy none)" }]);
    rule = { phase: "agent", mode: "bogus" as never, allow: ALLOW };
    expect((await request(sock, "GET", "http://allowed.test/", { host: "allowed.test" })).status).toBe(403);
  });

  it("open mode: pinned names connect, names resolving to private addresses never do", async () => {
    const answers: Record<string, string[]> = {
      "loop.test": ["127.0.0.1"],
      "ten.test": ["10.0.0.1"],
      "meta.test": ["169.254.169.254"],
      "mapped.test": ["::ffff:127.0.0.1"],
      "mixed.test": ["8.8.8.8", "10.0.0.5"],
    };
    const asked: string[] = [];
    const lookup = async (host: string): Promise<Addr[]> => {
      asked.push(host);
      const a = answers[host];
      if (!a) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      return a.map((address) => ({ address, family: net.isIP(address) as 4 | 6 }));
    };
    const { sock } = await start({ lookup });
    rule = { phase: "agent", mode: "open", allow: [] };
    const t = await connect(sock, "pinned.open.test:443");
    expect(t.status).toBe(200);
    expect(await echo(t.socket, "open")).toBe("open");
    t.socket.destroy();
    for (const host of ["localhost", "loop.test", "ten.test", "meta.test", "mapped.test", "mixed.test"]) {
      const r = await connect(sock, `${host}:443`);
      expect(r.status, host).toBe(403);
    }
    expect(blocked.map((b) => `${b.host} ${b.reason}`)).toEqual([
      "localhost not a public domain name (letters, digits and hyphens in two or more labels)",
      "loop.test resolves to a loopback address 127.0.0.1",
      "ten.test resolves to a private address 10.0.0.1",
      "meta.test resolves to the cloud metadata address 169.254.169.254",
      "mapped.test resolves to a loopback address (IPv4-mapped) ::ffff:127.0.0.1",
      "mixed.test resolves to a private address 10.0.0.5",
    ]);
    // Pins and refused forms are never looked up; each name is resolved once per request.
    expect(asked).toEqual(["loop.test", "ten.test", "meta.test", "mapped.test", "mixed.test"]);
    const nx = await connect(sock, "nx.test:443");
    expect(nx.status).toBe(502);
    expect(await nx.rest()).toMatch(/no such host/);
    expect(blocked).toHaveLength(6);
  });
});

describe("egress proxy: bypasses", () => {
  it.each([
    ["allowed.test.evil.com:443", /not on the allowlist/],
    ["evilallowed.test:443", /not on the allowlist/],
    ["allowed.test%00.evil.com:443", /percent-encoding/],
    ["allowed.test@evil.com:443", /userinfo/],
  ])("refuses CONNECT %s (even when pinned)", async (authority, why) => {
    const { sock } = await start();
    const t = await connect(sock, authority);
    expect(t.status).toBe(403);
    expect(await t.rest()).toMatch(why);
    expect(blocked[0].reason).toMatch(why);
  });

  it.each(["127.0.0.1:443", "2130706433:443", "0x7f.1:443", "0x7f000001:443", "0177.0.0.1:443", "127.1:443", "[::1]:443", "[::ffff:127.0.0.1]:443", "[0:0:0:0:0:ffff:7f00:1]:443"])(
    "refuses the IP literal %s even in open mode",
    async (authority) => {
      let looked = 0;
      const { sock, proxy } = await start({ lookup: async () => (looked++, [{ address: "8.8.8.8", family: 4 }]) });
      rule = { phase: "agent", mode: "open", allow: [] };
      const t = await connect(sock, authority);
      expect(t.status).toBe(403);
      expect(await t.rest()).toMatch(/address literals are not allowed/);
      const res = await request(sock, "GET", `http://${authority}/`, { host: authority });
      expect(res.status).toBe(403);
      expect(looked).toBe(0);
      // Both refusals count; the second (same host:port and phase) is folded into the first report.
      expect(proxy.stats().blocked).toBe(2);
      expect(blocked).toHaveLength(1);
    },
  );

  it("refuses a NUL byte in the target (raw bytes: clients will not send one)", async () => {
    const { sock } = await start();
    const out = await raw(sock, "CONNECT allowed.test\0.evil.com:443 HTTP/1.1\r\nHost: allowed.test\r\n\r\n");
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    const out2 = await raw(sock, "GET http://allowed.test\0.evil.com/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n");
    expect(out2).toMatch(/^HTTP\/1\.1 400/);
  });

  it("refuses userinfo in an absolute URL", async () => {
    const { sock } = await start();
    const res = await request(sock, "GET", "http://allowed.test@evil.com/", { host: "evil.com" });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/userinfo/);
  });

  it("refuses a Host header that names another host than the target (400, reported)", async () => {
    const { sock, proxy } = await start({ limits: { foldMs: 1 } });
    seen.length = 0;
    const a = await request(sock, "GET", "http://allowed.test/", { host: "evil.test" });
    expect(a.status).toBe(400);
    const b = await request(sock, "GET", "http://evil.test/", { host: "allowed.test" });
    expect(b.status).toBe(400);
    const c = await request(sock, "GET", "http://allowed.test/", { host: "allowed.test:81" });
    expect(c.status).toBe(400);
    const t = await connect(sock, "echo.allowed.test:443", "evil.test:443");
    expect(t.status).toBe(400);
    const two = await raw(sock, "GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nHost: evil.test\r\n\r\n", true);
    expect(two).toMatch(/^HTTP\/1\.1 400/);
    expect(seen).toEqual([]);
    expect(proxy.stats().blocked).toBe(5);
    expect(new Set(blocked.map((x) => x.reason))).toEqual(new Set(["the Host header names another host than the request target", "the request has more than one Host header"]));
    expect(blocked.find((x) => x.port === 443)).toMatchObject({ host: "echo.allowed.test", phase: "agent" });
  });

  it("refuses non-proxy and malformed requests with 400", async () => {
    const { sock } = await start();
    expect((await request(sock, "GET", "/x", { host: "allowed.test" })).status).toBe(400);
    expect((await request(sock, "GET", "https://allowed.test/", { host: "allowed.test" })).body).toMatch(/use CONNECT/);
    for (const authority of ["echo.allowed.test", "echo.allowed.test:0", "echo.allowed.test:65536", "echo.allowed.test:-1", "[::1"]) {
      expect((await connect(sock, authority)).status, authority).toBe(400);
    }
    expect((await request(sock, "GET", "http://allowed.test:0/", { host: "allowed.test:0" })).status).toBe(400);
    expect(blocked).toEqual([]);
  });

  it("refuses protocol upgrades on absolute-form requests", async () => {
    const { sock } = await start();
    const out = await raw(sock, "GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    expect(out).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe("egress proxy: lifetime and limits", () => {
  it("closeTunnels() kills open tunnels and in-flight forwards", async () => {
    const { proxy, sock } = await start();
    const t = await connect(sock, "echo.allowed.test:443");
    expect(await echo(t.socket, "a")).toBe("a");
    const closed = new Promise((r) => t.socket.once("close", r));
    let first!: () => void;
    const started = new Promise<void>((r) => (first = r));
    const forward = new Promise<string>((resolve) => {
      const req = http.request({ socketPath: sock, path: "http://hang.allowed.test/", headers: { host: "hang.allowed.test" }, setHost: false, agent: false }, (res) => {
        res.once("data", () => first());
        res.on("error", () => {});
        res.on("close", () => resolve(res.complete ? "complete" : "cut"));
      });
      req.on("error", () => resolve("cut"));
      req.end();
    });
    await started;
    expect(proxy.stats().open).toBe(2);
    proxy.closeTunnels();
    expect(await forward).toBe("cut");
    await closed;
    expect(proxy.stats().open).toBe(0);
  });

  it("closeTunnels() also ends a request still being decided (no connection outlives its phase)", async () => {
    let answer!: (a: Addr[]) => void;
    const { proxy, sock } = await start({ lookup: () => new Promise((r) => (answer = r)) });
    rule = { phase: "setup", mode: "open", allow: [] };
    const s = net.connect(sock);
    s.on("error", () => {});
    const out: Buffer[] = [];
    s.on("data", (c) => out.push(c));
    const closed = new Promise((r) => s.once("close", r));
    s.write("CONNECT slow.test:443 HTTP/1.1\r\nHost: slow.test:443\r\n\r\n");
    await waitFor(() => proxy.stats().open === 1);
    proxy.closeTunnels();
    await closed;
    answer([{ address: "8.8.8.8", family: 4 }]);
    expect(Buffer.concat(out).toString()).toBe("");
    expect(proxy.stats()).toMatchObject({ allowed: 0, open: 0 });
  });

  it("folds repeated refusals of a host:port per phase", async () => {
    const { sock, proxy } = await start({ limits: { foldMs: 150 } });
    for (let i = 0; i < 3; i++) expect((await connect(sock, "evil.test:443")).status).toBe(403);
    expect((await connect(sock, "evil.test:80")).status).toBe(403);
    expect(blocked).toEqual([
      { host: "evil.test", port: 443, phase: "agent", reason: "not on the allowlist" },
      { host: "evil.test", port: 80, phase: "agent", reason: "not on the allowlist" },
    ]);
    await waitFor(() => blocked.length === 3);
    expect(blocked[2]).toEqual({ host: "evil.test", port: 443, phase: "agent", reason: "not on the allowlist", repeats: 2 });
    // A steady loop: one event per window. close() flushes what is pending.
    expect((await connect(sock, "evil.test:443")).status).toBe(403);
    expect(blocked).toHaveLength(3);
    await proxy.close();
    expect(blocked[3]).toEqual({ host: "evil.test", port: 443, phase: "agent", reason: "not on the allowlist", repeats: 1 });
    expect(proxy.stats().blocked).toBe(5);
  });

  it("survives a throwing onBlocked", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const { sock } = await start({
      onBlocked: () => {
        throw new Error("listener bug");
      },
    });
    expect((await connect(sock, "evil.test:443")).status).toBe(403);
    expect((await request(sock, "GET", "http://allowed.test/", { host: "allowed.test" })).status).toBe(200);
    expect(quiet).toHaveBeenCalledWith("egress onBlocked failed:", expect.any(Error));
    quiet.mockRestore();
  });

  it("caps open connections (503 past it) and frees a slot when one closes", async () => {
    const { proxy, sock } = await start({ limits: { maxOpen: 2 } });
    const a = await connect(sock, "echo.allowed.test:443");
    const b = await connect(sock, "echo.allowed.test:443");
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await connect(sock, "echo.allowed.test:443");
    expect(c.status).toBe(503);
    expect(await c.rest()).toMatch(/at most 2/);
    expect((await request(sock, "GET", "http://allowed.test/", { host: "allowed.test" })).status).toBe(503);
    a.socket.destroy();
    await waitFor(() => proxy.stats().open === 1);
    const d = await connect(sock, "echo.allowed.test:443");
    expect(d.status).toBe(200);
    b.socket.destroy();
    d.socket.destroy();
  });

  it("closes an idle tunnel", async () => {
    const { proxy, sock } = await start({ limits: { idleMs: 100 } });
    const t = await connect(sock, "echo.allowed.test:443");
    expect(t.status).toBe(200);
    await new Promise((r) => t.socket.once("close", r));
    expect(proxy.stats().open).toBe(0);
  });

  it("survives random bytes, huge headers, half-open and abandoned sockets", async () => {
    const { sock } = await start({ limits: { headersMs: 300 } });
    for (let i = 0; i < 5; i++) await raw(sock, crypto.randomBytes(4096));
    expect(await raw(sock, `GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect(await raw(sock, "", true)).toBe("");
    await raw(sock, "CONNECT echo.allowed.te", true);
    const abandoned = net.connect(sock);
    abandoned.on("error", () => {});
    abandoned.write("CONNECT echo.allowed.test:443 HTTP/1.1\r\n");
    abandoned.destroy();
    // A client that stops mid-headers, or never sends any, is answered 408 after the header timeout.
    expect(await raw(sock, "GET http://allowed.test/ HTTP/1.1\r\nHost: all")).toMatch(/^HTTP\/1\.1 408/);
    expect(await raw(sock, "")).toMatch(/^HTTP\/1\.1 408/);
    // A tunnel whose client half-closes still carries the upstream's answer back.
    const t = await connect(sock, "echo.allowed.test:443");
    t.socket.end("bye");
    expect(await t.rest()).toBe("bye");
    expect((await request(sock, "GET", "http://allowed.test/ok", { host: "allowed.test" })).body).toBe("hello /ok");
  });

  it("close() stops listening, ends tunnels and removes the socket", async () => {
    const { proxy, sock } = await start();
    const t = await connect(sock, "echo.allowed.test:443");
    const closed = new Promise((r) => t.socket.once("close", r));
    await proxy.close();
    await closed;
    expect(fs.existsSync(sock)).toBe(false);
    await proxy.close();
  });
});
