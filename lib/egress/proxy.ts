// The egress proxy: a sandbox's only way out. A sandbox has loopback and nothing else; its worker
// forwards 127.0.0.1:3128 to this proxy's Unix socket (bind-mounted in), and HTTP_PROXY and
// HTTPS_PROXY point there. One proxy per session, on the host. Every byte on the socket is written
// by the (hostile) sandbox.
//
// It serves `CONNECT host:port` (a TCP tunnel, for https and anything else) and absolute-form
// http requests (`GET http://host/path`, forwarded). Each request is decided by decide.ts against
// the rule of the current phase (setup or agent), read anew for every request.
//
// Why each check exists (the known ways past an egress proxy):
// - The allowlist matches whole names, `*.suffix` only on a dot boundary (policy.ts): a
//   startsWith/endsWith check lets `allowed.test.evil.com` or `evilallowed.test` through.
// - Host names are refused rather than repaired (policy.ts, target.ts): NUL bytes and control
//   characters (`allowed.test\0.evil.com`), percent-encoding, userinfo (`allowed.test@evil.com`),
//   non-ASCII that lowercases into ASCII, and IP literals in every form (decimal `2130706433`, hex,
//   octal, `127.1`, bracketed and IPv4-mapped IPv6), which would skip the name policy and the
//   address checks.
// - The decision and the connection use the request target; a Host header naming another host is
//   refused (400), and the upstream gets a Host header written here, so "CONNECT/GET to one host
//   with another Host header" cannot pass a check on one and reach the other.
// - Names are resolved once, every address is checked (address.ts: loopback, private, link-local,
//   metadata, IPv6 forms embedding IPv4...), and the socket connects to those addresses by IP:
//   resolving again at connect time is DNS rebinding (public at check, 127.0.0.1 at connect).
//   Only an operator's pin (pins.ts) reaches a private address.
// - closeTunnels() when the phase changes: a connection opened under the setup's rule must not
//   carry the agent's traffic.
// - Limits (open connections, header and idle timeouts, header size) and error handling on every
//   socket: random bytes, half-open sockets or a flood must cost a bounded amount and never crash
//   the host process.
//
// Custom code, not a package: no well-kept npm proxy resolves, checks every address and then
// connects to exactly those addresses with a per-phase allowlist; bolting that onto one would mean
// overriding its DNS and connect paths, which is most of this file anyway.
import fs from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type net from "node:net";
import type { Duplex } from "node:stream";
import { connectFirst } from "./connect";
import { systemLookup } from "./lookup";
import { decide, displayHost, type Addr, type Decision, type EgressPhase, type EgressRule, type Lookup } from "./decide";
import { BlockedFolder, type Blocked } from "./fold";
import type { Pins } from "./pins";
import { hostHeaderMismatch, parseAbsolute, parseConnect, type Target } from "./target";

export type { Blocked, EgressPhase, EgressRule };

export interface EgressProxyOptions {
  /** Listens here: a stale socket is removed first (never a file or a symlink); mode 0600. */
  socketPath: string;
  /** Read on every request (the phase switches from setup to agent). */
  rule: () => EgressRule;
  /** Every refusal a person should see, repeats folded. */
  onBlocked: (b: Blocked) => void;
  /** From parsePins(env().DOCKSIDE_EGRESS_PINS). */
  pins?: Pins;
  /** Default: dns.promises.lookup(host, {all: true, verbatim: true}), rationed process-wide (lookup.ts); injectable for tests. */
  lookup?: (host: string) => Promise<Addr[]>;
  /** @internal Tests lower these. */
  limits?: Partial<EgressLimits>;
}

export interface EgressLimits {
  /** Tunnels and forwarded requests open at once (each holds an upstream connection). */
  maxOpen: number;
  /** A tunnel or forward with no traffic either way for this long is closed. */
  idleMs: number;
  /** A client must send a request's headers within this. */
  headersMs: number;
  connectMs: number;
  lookupMs: number;
  /** Repeats of one refusal within this window are reported as one event. */
  foldMs: number;
}

const DEFAULT_LIMITS: EgressLimits = { maxOpen: 256, idleMs: 10 * 60_000, headersMs: 10_000, connectMs: 10_000, lookupMs: 10_000, foldMs: 60_000 };
const MAX_HEADER_BYTES = 16 * 1024;

export interface EgressProxy {
  close(): Promise<void>;
  /** Destroys every open tunnel and in-flight forward (when the phase switches). */
  closeTunnels(): void;
  /** Counters for tests and benchmarks. */
  stats(): { allowed: number; blocked: number; open: number };
}

// Headers that describe one hop, never forwarded either way (RFC 9110 7.6.1), plus the ones this
// proxy writes itself (Host) or answers itself (Expect).
const HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "expect"]);

/** One tunnel or forward: a slot of maxOpen, and what closeTunnels() destroys. */
class Conn {
  readonly abort = new AbortController();
  private readonly upstream = new Set<Duplex | http.ClientRequest>();
  constructor(
    private readonly release: (c: Conn) => void,
    /** The sandbox's side. */
    private readonly client: Duplex,
  ) {}
  get done(): boolean {
    return this.abort.signal.aborted;
  }
  add(p: Duplex | http.ClientRequest): void {
    if (this.done) p.destroy();
    else this.upstream.add(p);
  }
  /** The upstream side is gone and the slot free; the client's connection is left alone (it may be
   * reading a refusal, or keeping its connection alive for the next request). */
  finish(): void {
    if (!this.done) this.abort.abort();
    for (const p of this.upstream) p.destroy();
    this.upstream.clear();
    this.release(this);
  }
  /** Everything, the client's connection included (closeTunnels, idle timeouts). */
  kill(): void {
    this.finish();
    this.client.destroy();
  }
}

// The system resolver, at most a few lookups at once for the whole process (lookup.ts says why).
const defaultLookup: Lookup = systemLookup;

export async function startEgressProxy(o: EgressProxyOptions): Promise<EgressProxy> {
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const pins: Pins = o.pins ?? new Map();
  const lookup = o.lookup ?? defaultLookup;
  const folder = new BlockedFolder(limits.foldMs, o.onBlocked);
  const open = new Set<Conn>();
  const sockets = new Set<net.Socket>();
  const counts = { allowed: 0, blocked: 0 };

  const reserve = (client: Duplex): Conn | null => {
    if (open.size >= limits.maxOpen) return null;
    const c = new Conn((x) => open.delete(x), client);
    open.add(c);
    return c;
  };
  const tooMany = `too many connections through the egress proxy at once (at most ${limits.maxOpen})`;

  /** The decision for a target under the rule of this moment (a throwing rule() refuses). */
  const decideFor = async (t: Target): Promise<{ d: Decision; phase: EgressPhase }> => {
    let rule: EgressRule;
    try {
      rule = o.rule();
    } catch {
      return { d: { ok: false, host: displayHost(t.rawHost), port: t.port, status: 403, reason: "the egress policy could not be read", blocked: true }, phase: "agent" };
    }
    return { d: await decide(t.rawHost, t.port, { rule, pins, lookup, lookupMs: limits.lookupMs }), phase: rule.phase };
  };

  const block = (b: Blocked) => {
    counts.blocked++;
    folder.report(b);
  };
  const refusalText = (host: string, port: number, reason: string) => `Dockside egress proxy refused ${host}:${port}: ${reason}\n`;

  /**
   * The Host header check, then the policy: the allowed decision, or the refusal to answer (a
   * policy refusal is reported); null when the connection went away meanwhile.
   */
  const admit = async (req: IncomingMessage, target: Target, conn: { done: boolean }): Promise<Extract<Decision, { ok: true }> | { status: number; text: string } | null> => {
    const mismatch = hostHeaderMismatch(headerValues(req, "host"), target);
    const { d, phase } = mismatch ? { d: null, phase: safePhase() } : await decideFor(target);
    if (conn.done) return null;
    if (d?.ok) return d;
    const refused = d ?? { host: displayHost(target.rawHost), port: target.port, status: 400, reason: mismatch!, blocked: true };
    if (refused.blocked) block({ host: refused.host, port: refused.port, phase, reason: refused.reason });
    return { status: refused.status, text: refusalText(refused.host, refused.port, refused.reason) };
  };

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: limits.headersMs, requestTimeout: 0, keepAliveTimeout: 5_000, connectionsCheckingInterval: Math.min(limits.headersMs, 5_000) });
  server.maxConnections = limits.maxOpen * 2 + 64;

  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });

  // Malformed HTTP (random bytes, NUL in the target, huge headers, a slow client): answer if the
  // socket still takes it, then close. Never throw.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
    // A client that does not read the answer must not keep the socket.
    if ("setTimeout" in socket) (socket as net.Socket).setTimeout(2_000, () => socket.destroy());
  });

  // A raw answer on a socket the HTTP server has let go of (CONNECT, Upgrade).
  const endRaw = (socket: Duplex, status: number, text: string) => {
    if (socket.destroyed) return;
    const body = Buffer.from(text.endsWith("\n") ? text : `${text}\n`);
    socket.resume(); // unread input would make the close a reset, and the client could lose the answer
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    // Half-open by design (http.Server allows it): a client that never closes its side is closed.
    if ("setTimeout" in socket) (socket as net.Socket).setTimeout(2_000, () => socket.destroy());
  };

  server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {});
    endRaw(socket, 400, "protocol upgrades are not proxied; use CONNECT host:port");
  });

  server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on("error", () => {});
    tunnel(req, client as net.Socket, head).catch((err) => {
      console.error("egress tunnel failed:", err);
      client.destroy();
    });
  });

  async function tunnel(req: IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
    const target = parseConnect(req.url ?? "");
    if ("error" in target) return endRaw(client, 400, target.error);
    const conn = reserve(client);
    if (!conn) return endRaw(client, 503, tooMany);
    client.once("close", () => conn.finish());
    const d = await admit(req, target, conn);
    if (!d) return;
    if (!("ok" in d)) {
      endRaw(client, d.status, d.text);
      return conn.finish();
    }
    let up: net.Socket;
    try {
      up = await connectFirst(d.addresses, d.port, limits.connectMs, conn.abort.signal);
    } catch (err) {
      if (!conn.done) endRaw(client, 502, refusalText(d.host, target.port, `cannot connect: ${(err as Error).message}`));
      return conn.finish();
    }
    conn.add(up);
    if (conn.done) return;
    counts.allowed++;
    // The upstream is gone: let what it sent reach the client, then close the client's side.
    up.once("close", () => client.end(() => client.destroy()));
    client.setTimeout(limits.idleMs, () => conn.kill());
    up.setTimeout(limits.idleMs, () => conn.kill());
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length) up.write(head);
    // pipe() passes a half-close on: the client's end ends the upstream's writable side only.
    client.pipe(up);
    up.pipe(client);
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    forward(req, res).catch((err) => {
      console.error("egress forward failed:", err);
      res.destroy();
    });
  });

  const answer = (res: ServerResponse, status: number, text: string) => {
    if (res.headersSent || res.destroyed) return void res.destroy();
    const body = text.endsWith("\n") ? text : `${text}\n`;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseAbsolute(req.url ?? "");
    if ("error" in target) return answer(res, 400, target.error);
    // closeTunnels() ends the client's connection too: the forward's response must not finish.
    const conn = reserve(req.socket);
    if (!conn) return answer(res, 503, tooMany);
    res.once("close", () => conn.finish());
    const d = await admit(req, target, conn);
    if (!d) return;
    if (!("ok" in d)) return answer(res, d.status, d.text);
    let socket: net.Socket;
    try {
      socket = await connectFirst(d.addresses, d.port, limits.connectMs, conn.abort.signal);
    } catch (err) {
      if (!conn.done) answer(res, 502, refusalText(d.host, target.port, `cannot connect: ${(err as Error).message}`));
      return;
    }
    conn.add(socket);
    if (conn.done) return;
    counts.allowed++;
    socket.setTimeout(limits.idleMs, () => conn.kill());
    let upstream: http.ClientRequest;
    try {
      upstream = http.request({
        createConnection: () => socket,
        method: req.method,
        path: target.path,
        headers: requestHeaders(req, d.host, target.port),
        setHost: false,
      });
    } catch (err) {
      // Node refuses some paths and header values llhttp let through; the client hears why.
      return answer(res, 400, `the request cannot be forwarded: ${(err as Error).message}`);
    }
    conn.add(upstream);
    upstream.on("error", (err) => answer(res, 502, refusalText(d.host, target.port, `upstream failed: ${err.message}`)));
    upstream.on("response", (up) => {
      up.on("error", () => res.destroy());
      try {
        res.writeHead(up.statusCode ?? 502, responseHeaders(up));
      } catch (err) {
        // An answer Node will not write (an odd status or header) must not throw out of an event.
        up.destroy();
        return answer(res, 502, refusalText(d.host, target.port, `the upstream's answer cannot be relayed: ${(err as Error).message}`));
      }
      up.pipe(res);
    });
    req.pipe(upstream);
  }

  // For a refusal that happens before the rule is read: the phase of this moment, for the report.
  function safePhase(): EgressPhase {
    try {
      return o.rule().phase === "setup" ? "setup" : "agent";
    } catch {
      return "agent";
    }
  }

  await removeStaleSocket(o.socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => console.error("egress proxy server error:", err));
  fs.chmodSync(o.socketPath, 0o600);

  const closeTunnels = () => {
    for (const c of [...open]) c.kill();
  };
  let closing: Promise<void> | undefined;
  return {
    closeTunnels,
    stats: () => ({ ...counts, open: open.size }),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        closeTunnels();
        for (const s of sockets) s.destroy();
        folder.flush();
        await closed;
        await removeStaleSocket(o.socketPath).catch(() => {});
      })();
      return closing;
    },
  };
}

/** Every value of a header as sent (req.headers drops duplicate Host headers silently). */
function headerValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === name) out.push(req.rawHeaders[i + 1]);
  return out;
}

/** Names a message marks as hop-by-hop in its Connection header, plus the fixed ones. */
function dropped(headers: http.IncomingHttpHeaders): (name: string) => boolean {
  const listed = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  return (name) => HOP.has(name) || listed.has(name) || name.startsWith("proxy-");
}

function requestHeaders(req: IncomingMessage, host: string, port: number): http.OutgoingHttpHeaders {
  const drop = dropped(req.headers);
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !drop(name)) out[name] = value;
  out.host = port === 80 ? host : `${host}:${port}`;
  // One upstream connection per request: nothing is pooled across requests (or phases).
  out.connection = "close";
  // Node frames the body again; a chunked request stays chunked (llhttp has refused TE with CL).
  if (req.headers["transfer-encoding"]) out["transfer-encoding"] = "chunked";
  return out;
}

function responseHeaders(up: IncomingMessage): http.OutgoingHttpHeaders {
  const drop = dropped(up.headers);
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !drop(name)) out[name] = value;
  return out;
}

/** Removes a socket left by an earlier run; refuses to touch anything else at the path. */
async function removeStaleSocket(p: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(p); // lstat: a symlink is reported as one, never followed
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (!st.isSocket()) throw new Error(`${p} exists and is not a socket; the egress proxy will not replace it`);
  await fs.promises.unlink(p);
}
