// The fetch the host's MCP client uses: to one host only, at the addresses the egress decision
// resolved (the name is never looked up again: a second DNS answer could be private), no
// redirects (a 3xx is handed back as it is, never followed to another host), and every answer
// cut off past `maxBytes`.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Readable, Transform } from "node:stream";
import type { Addr } from "../egress/decide";

export interface PinnedTarget {
  protocol: "http:" | "https:";
  /** The normalized host name the decision allowed (TLS checks the certificate against it). */
  host: string;
  /** The port as decided (a pin's port replaces the url's). */
  port: number;
  /** The url's own port: what a request must name to be sent. */
  urlPort: number;
  addresses: Addr[];
}

const NULL_BODY = new Set([101, 204, 205, 304]);

export function pinnedFetch(t: PinnedTarget, maxBytes: number, connectMs: number) {
  const lookup: LookupFunction = (_name, opts, cb) => {
    const all = t.addresses.map((a) => ({ address: a.address, family: a.family }));
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: typeof all) => void)(null, all);
    else cb(null, all[0].address, all[0].family);
  };
  // Sockets of this connection alone: never pooled with another session's (or another decision's).
  const agent = new (t.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 8, timeout: 120_000 });
  return (input: string | URL, init: RequestInit = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(input);
      const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
      if (url.protocol !== t.protocol || url.hostname.toLowerCase() !== t.host || port !== t.urlPort) {
        return reject(new Error(`refusing a request to ${url.origin}: this connection is for ${t.protocol}//${t.host}`));
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const mod = t.protocol === "https:" ? https : http;
      const req = mod.request({ host: t.host, port: t.port, path: `${url.pathname}${url.search}`, method: init.method ?? "GET", headers, lookup, agent, servername: t.host, signal: init.signal ?? undefined });
      req.setTimeout(connectMs, () => req.destroy(new Error(`no answer from ${t.host} within ${connectMs} ms`)));
      req.on("error", reject);
      req.on("response", (res) => {
        // Once the answer has started, only the connect/headers timeout is done with.
        req.setTimeout(0);
        const status = res.statusCode ?? 502;
        if (status < 200 || status > 599) {
          res.destroy();
          return reject(new Error(`${t.host} answered with status ${status}`));
        }
        const outHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) outHeaders.set(k, Array.isArray(v) ? v.join(", ") : v);
        if (NULL_BODY.has(status)) {
          res.resume();
          return resolve(new Response(null, { status, headers: outHeaders }));
        }
        let seen = 0;
        const capped = new Transform({
          transform(chunk: Buffer, _enc, done) {
            seen += chunk.length;
            if (seen > maxBytes) return done(new Error(`the answer from ${t.host} is larger than ${maxBytes} bytes`));
            done(null, chunk);
          },
        });
        res.on("error", (err) => capped.destroy(err));
        res.pipe(capped);
        resolve(new Response(Readable.toWeb(capped) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers: outHeaders }));
      });
      if (init.body !== undefined && init.body !== null) req.end(typeof init.body === "string" ? init.body : Buffer.from(init.body as ArrayBuffer));
      else req.end();
    });
}
