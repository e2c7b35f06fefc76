// Local upstreams the egress proxy reaches through DOCKSIDE_EGRESS_PINS in tests: a plain HTTP
// site and an npm registry stand-in that serves one package (its packument and tarball), with a
// count of what each was asked. Real HTTP, real npm on the other end.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

export interface Upstream {
  port: number;
  /** Request lines seen, e.g. "GET /hello". */
  hits: string[];
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener, hits: string[]): Promise<Upstream> {
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** Answers every request with "hello from <name>". */
export function startSite(name: string): Promise<Upstream> {
  return listen((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`hello from ${name}\n`), []);
}

export const FIXTURE_PACKAGE = "dockside-fixture-pkg";

/**
 * An npm registry for one package, reached by sessions as http://<host>/ (the name is pinned to
 * this port): GET /<name> answers the packument, GET /<name>/-/<name>-1.0.0.tgz the tarball.
 */
export async function startNpmRegistry(host: string): Promise<Upstream> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-npm-"));
  fs.mkdirSync(path.join(dir, "package"));
  fs.writeFileSync(path.join(dir, "package", "package.json"), JSON.stringify({ name: FIXTURE_PACKAGE, version: "1.0.0", main: "index.js" }));
  fs.writeFileSync(path.join(dir, "package", "index.js"), `module.exports = "fixture package loaded";\n`);
  const tgz = path.join(dir, "pkg.tgz");
  execFileSync("tar", ["-czf", tgz, "-C", dir, "package"]);
  const tarball = fs.readFileSync(tgz);
  fs.rmSync(dir, { recursive: true, force: true });
  const shasum = crypto.createHash("sha1").update(tarball).digest("hex");
  const integrity = `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`;
  const file = `${FIXTURE_PACKAGE}-1.0.0.tgz`;
  const packument = {
    name: FIXTURE_PACKAGE,
    "dist-tags": { latest: "1.0.0" },
    versions: { "1.0.0": { name: FIXTURE_PACKAGE, version: "1.0.0", main: "index.js", dist: { tarball: `http://${host}/${FIXTURE_PACKAGE}/-/${file}`, shasum, integrity } } },
  };
  return listen((req, res) => {
    const url = (req.url ?? "").split("?")[0];
    if (url === `/${FIXTURE_PACKAGE}`) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
    if (url === `/${FIXTURE_PACKAGE}/-/${file}`) return void res.writeHead(200, { "content-type": "application/octet-stream", "content-length": tarball.length }).end(tarball);
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
  }, []);
}

/** An upstream on a fixed port (the pinned one): it listens on any port, and a TCP relay leads there. */
export async function listenOn(port: number, start: () => Promise<Upstream>): Promise<Upstream> {
  const up = await start();
  const relay = net.createServer((c) => {
    const u = net.connect(up.port, "127.0.0.1");
    c.pipe(u).pipe(c);
    c.on("error", () => u.destroy());
    u.on("error", () => c.destroy());
  });
  await new Promise<void>((r) => relay.listen(port, "127.0.0.1", () => r()));
  return { port, hits: up.hits, close: async () => (relay.close(), await up.close()) };
}
