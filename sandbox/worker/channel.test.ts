// The channel against a real HTTP server on a Unix socket: retries while the host is away, and
// the fetch the SDK uses streams and aborts.
import { EventEmitter } from "node:events";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, HostStreamClosed, toResponse } from "./channel";

const servers: http.Server[] = [];
const socketPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dockside-chan-")), "host.sock");
const listen = (file: string, handler: http.RequestListener) =>
  new Promise<http.Server>((resolve) => {
    const server = http.createServer(handler);
    servers.push(server);
    server.listen(file, () => resolve(server));
  });

afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

describe("Channel", () => {
  it("keeps retrying until the host is back", async () => {
    const file = socketPath();
    const channel = new Channel(file);
    setTimeout(() => void listen(file, (_req, res) => res.end(JSON.stringify({ ok: true }))), 500);
    expect(await channel.call("GET", "/worker/config")).toEqual({ ok: true });
  });

  it("does not retry what the host refuses outright", async () => {
    const file = socketPath();
    let calls = 0;
    await listen(file, (_req, res) => {
      calls++;
      res.writeHead(422).end(JSON.stringify({ error: "not a worker event" }));
    });
    await expect(new Channel(file).call("POST", "/worker/ops/x", { ok: true })).rejects.toThrow(/422: .*not a worker event/);
    expect(calls).toBe(1);
  });

  it("fetch returns a Response whose body streams before the answer is complete", async () => {
    const file = socketPath();
    let finish = () => {};
    await listen(file, (req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "x-seen-path": req.url ?? "" });
      res.write("first\n");
      finish = () => res.end("last\n");
    });
    const res = await new Channel(file).fetch("http://dockside-host/v1/messages?beta=true", { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-seen-path")).toBe("/v1/messages?beta=true");
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first\n");
    finish();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("last\n");
    expect((await reader.read()).done).toBe(true);
  });

  it("fetch stops reading when its signal aborts", async () => {
    const file = socketPath();
    await listen(file, (_req, res) => {
      res.writeHead(200);
      res.write("partial");
    });
    const abort = new AbortController();
    const res = await new Channel(file).fetch("http://dockside-host/v1/messages", { method: "POST", body: "{}", signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await expect(reader.read()).rejects.toThrow();
  });

  it("fetch survives the SDK cancelling a body the socket still delivers (no ERR_INVALID_STATE)", async () => {
    // A node response whose "data", "end" and "close" were already on their way when the body was cancelled.
    const socket = Object.assign(new EventEmitter(), { headers: {}, statusCode: 529, statusMessage: "", pause() {}, resume() {}, destroy() {} });
    const res = toResponse(socket as unknown as http.IncomingMessage);
    await res.body!.cancel();
    expect(() => {
      socket.emit("data", Buffer.from("late"));
      socket.emit("end");
      socket.emit("error", new Error("aborted"));
      socket.emit("close");
    }).not.toThrow();
  });

  it("fetch ends a body cut off by the host with an error the model call retries", async () => {
    const file = socketPath();
    await listen(file, (_req, res) => {
      res.writeHead(200);
      res.write("partial", () => res.destroy());
    });
    const res = await new Channel(file).fetch("http://dockside-host/v1/messages", { method: "POST", body: "{}" });
    const reader = res.body!.getReader();
    const read = async () => {
      for (;;) if ((await reader.read()).done) return;
    };
    await expect(read()).rejects.toBeInstanceOf(HostStreamClosed);
  });
});
