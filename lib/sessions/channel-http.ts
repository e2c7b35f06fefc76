// Small HTTP helpers for the worker channel: bounded body reads and JSON answers.
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A body over its limit; answered 413. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** The declared length, when it is already over `limit` (answer before reading anything). */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const n = Number(req.headers["content-length"]);
  return Number.isFinite(n) && n > limit;
}

/** Reads the whole body, refusing (BodyTooLarge) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaredTooLarge(req, limit)) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer) => {
      size += b.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        reject(new BodyTooLarge(limit));
        return;
      }
      parts.push(b);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

/**
 * Streams the body into an open file, refusing (BodyTooLarge) past `limit` bytes. The request is
 * only paused on a refusal, never destroyed, so the caller can still answer 413.
 */
export function bodyToFile(req: IncomingMessage, fd: number, limit: number): Promise<number> {
  if (declaredTooLarge(req, limit)) return Promise.reject(new BodyTooLarge(limit));
  const out = fs.createWriteStream("", { fd, autoClose: false });
  return new Promise((resolve, reject) => {
    let size = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.off("data", onData);
      req.pause();
      reject(err);
    };
    const onData = (b: Buffer) => {
      size += b.length;
      if (size > limit) return fail(new BodyTooLarge(limit));
      if (!out.write(b)) {
        req.pause();
        out.once("drain", () => failed || req.resume());
      }
    };
    req.on("data", onData);
    req.on("error", fail);
    out.on("error", fail);
    req.on("end", () => out.end(() => failed || resolve(size)));
  });
}

/** A JSON answer. `close` ends the connection after it (the rest of a refused body is not read). */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, close = false): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...(close ? { connection: "close" } : {}), ...headers });
  res.end(text);
  // Unread body bytes are not worth reading: drop the connection once the answer is out.
  if (close) res.once("finish", () => res.req.socket?.destroySoon?.());
}
