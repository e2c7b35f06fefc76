// A pooled worker waits, idle, for a session to claim its sandbox (main.ts `assigned`). Its first
// model request would then pay for what Node and the SDK load and compile on first use: fetch's
// Headers, Response and streams (lazily loaded in Node 18), the SDK's request building and its
// SSE parsing, our streaming loop. Those run once here, against a canned answer that never leaves
// the process: no session, nothing kept but warm code. The channel's HTTP client over a Unix
// socket (the config, the setup plan and the first poll are asked for at once the moment a session
// claims the worker) and child_process (the instruction-file listing) cost the same on first use:
// one round trip to a throwaway server on a private socket, and one `true`, warm them. Failures
// are ignored (the real requests then pay as before).
import Anthropic from "@anthropic-ai/sdk";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Channel } from "./channel";
import { streamReply } from "./model";

const sse = (events: Record<string, unknown>[]) => events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join("");

const CANNED = sse([
  { type: "message_start", message: { id: "msg_warm", type: "message", role: "assistant", model: "warm", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "warm" } },
  { type: "content_block_stop", index: 0 },
  { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_warm", name: "shell", input: {} } },
  { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"command":"true"}' } },
  { type: "content_block_stop", index: 1 },
  { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 2 } },
  { type: "message_stop" },
]);

/** True when every part went through (a test checks it, so an SDK update cannot quietly make this a no-op). */
export async function warmUp(): Promise<boolean> {
  const [model, channel, spawned] = await Promise.all([warmModel(), warmChannel(), warmSpawn()]);
  return model && channel && spawned;
}

/** The SDK's streaming path and our reply builder, on the canned answer. */
async function warmModel(): Promise<boolean> {
  try {
    const fetch = async (_input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
      new Headers(init.headers).forEach(() => undefined);
      return new Response(new Blob([CANNED]).stream(), { status: 200, headers: { "content-type": "text/event-stream" } });
    };
    const client = new Anthropic({ apiKey: "warm-up", baseURL: "http://warm-up.invalid", fetch, maxRetries: 0 });
    const reply = await streamReply(
      client,
      { model: "warm", maxTokens: 16, system: [{ type: "text", text: "warm" }], tools: [{ name: "shell", description: "warm", input_schema: { type: "object", properties: {} } }], messages: [{ role: "user", content: "warm" }] },
      new AbortController().signal,
      () => undefined,
    );
    return reply.stopReason === "tool_use" && reply.content.length === 2;
  } catch {
    // Warm code is an optimisation only.
    return false;
  }
}

/**
 * A GET and a POST through Channel to a server of this process on a socket in a private (0700)
 * directory, removed at once: warms http's client, its response parser and our JSON handling.
 */
async function warmChannel(): Promise<boolean> {
  let dir: string | null = null;
  const server = http.createServer((req, res) => {
    req.resume().on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
  });
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-warm-"));
    const socket = path.join(dir, "warm.sock");
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(socket, resolve));
    const channel = new Channel(socket);
    const got = (await channel.once("GET", "/warm", undefined, { timeoutMs: 5000 })) as { ok?: boolean } | null;
    const posted = (await channel.once("POST", "/warm", { warm: [1] }, { timeoutMs: 5000 })) as { ok?: boolean } | null;
    return got?.ok === true && posted?.ok === true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One `true`, as the worker: child_process and its pipes. */
function warmSpawn(): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = spawn("true", [], { stdio: ["ignore", "pipe", "pipe"] });
      child.on("error", () => resolve(false));
      child.on("close", (code) => resolve(code === 0));
    } catch {
      resolve(false);
    }
  });
}
