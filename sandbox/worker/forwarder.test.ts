// The egress forwarder: TCP on loopback to the host's Unix socket, byte for byte both ways
// (half-closes included); a missing socket, a client that resets or too many connections close
// that connection only, and the forwarder keeps serving.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startForwarder, type Forwarder } from "./forwarder";

let dir: string;
let socketPath: string;
let upstream: net.Server;
let received: Buffer[] = [];
const forwarders: Forwarder[] = [];

/** Connects, sends `data`, half-closes, and collects everything until the forwarder closes (or resets) it. */
function exchange(port: number, data: Buffer | string): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.createConnection({ port, host: "127.0.0.1", allowHalfOpen: true }, () => s.end(data));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", () => undefined);
    s.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-fwd-"));
  socketPath = path.join(dir, "egress.sock");
  // Like the host's proxy: reads the whole request (until the client's half-close), then answers.
  upstream = net.createServer({ allowHalfOpen: true }, (s) => {
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", () => undefined);
    s.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push(body);
      s.end(Buffer.concat([Buffer.from(`got ${body.length}:`), body]));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(socketPath, resolve));
});

afterAll(async () => {
  for (const f of forwarders) await f.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const start = async (opts: { socketPath?: string; maxConnections?: number } = {}) => {
  const f = await startForwarder({ socketPath: opts.socketPath ?? socketPath, port: 0, maxConnections: opts.maxConnections });
  forwarders.push(f);
  return f;
};

describe("the egress forwarder", () => {
  it("carries bytes both ways unchanged, binary and large, with half-closes", async () => {
    const f = await start();
    received = [];
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const request = "CONNECT example.com:443 HTTP/1.1\r\n\r\n";
    const [small, large] = await Promise.all([exchange(f.port, request), exchange(f.port, big)]);
    expect(small.toString()).toBe(`got ${request.length}:${request}`);
    expect(large.subarray(0, 12).toString()).toBe(`got ${big.length}:`);
    expect(large.subarray(12).equals(big)).toBe(true);
    expect(received.map((b) => b.length).sort((a, b) => a - b)).toEqual([request.length, big.length]);
  });

  it("closes the connection when the host's socket is missing, and keeps serving", async () => {
    const f = await start({ socketPath: path.join(dir, "missing.sock") });
    expect((await exchange(f.port, "hello")).length).toBe(0);
    expect((await exchange(f.port, "again")).length).toBe(0);
  });

  it("survives clients that reset mid-stream, and closes connections over the cap at once", async () => {
    const f = await start({ maxConnections: 2 });
    // A client that sends half a request and resets.
    await new Promise<void>((resolve) => {
      const s = net.createConnection({ port: f.port, host: "127.0.0.1" }, () => {
        s.write("GET http://x/ HTTP/1.1\r\n");
        setTimeout(() => {
          s.resetAndDestroy?.() ?? s.destroy();
          resolve();
        }, 50);
      });
      s.on("error", () => undefined);
    });
    // Two held open, the third is closed without reaching the host.
    const held = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.createConnection({ port: f.port, host: "127.0.0.1", allowHalfOpen: true }, () => resolve(s));
            s.on("error", () => undefined);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    received = [];
    expect((await exchange(f.port, "third")).length).toBe(0);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await exchange(f.port, "after")).toString()).toBe("got 5:after");
    expect(received.map(String)).toContain("after");
    expect(received.map(String)).not.toContain("third");
  });
});
