// Request body limits, enforced in server.ts on the raw Node request before Next (or better-auth)
// reads a byte: an unauthenticated 300 MB body to the sign-in route once took the server from
// 550 MB to 1.8 GB. A declared Content-Length over the limit is answered 413 at once; a body
// without one (chunked) is counted as it arrives and cut off at the limit.
import type { IncomingMessage, ServerResponse } from "node:http";

const MB = 1024 * 1024;
const LINGER_MS = 2000;

interface RouteLimit {
  method: string;
  path: RegExp;
  bytes: number;
  /** What to send less of, in the 413's message. */
  hint: string;
}

// Routes that may need more than the default. The result is max(default, bytes), so lowering
// DOCKSIDE_MAX_BODY_KB never breaks what the API's own schemas allow.
const LARGER: RouteLimit[] = [
  // A review holds up to 500 comments of up to 20 000 characters each (lib/protocol/review.ts):
  // 8 MB covers a large real review; beyond that, split it into several reviews.
  { method: "POST", path: /^\/api\/sessions\/[^/]+\/reviews\/?$/, bytes: 8 * MB, hint: "submit fewer or shorter comments per review" },
  // Prompts are up to 100 000 characters (lib/protocol/api.ts); even JSON-escaped at 6 bytes a
  // character that stays under 1 MB, so these keep 1 MB when the default is lowered.
  { method: "POST", path: /^\/api\/sessions\/?$/, bytes: MB, hint: "shorten the prompt" },
  { method: "POST", path: /^\/api\/sessions\/[^/]+\/messages\/?$/, bytes: MB, hint: "shorten the message" },
  { method: "POST", path: /^\/api\/sessions\/[^/]+\/fork\/?$/, bytes: MB, hint: "shorten the prompt" },
];

export interface BodyLimit {
  bytes: number;
  hint: string;
}

/** The limit for a request line; `url` may carry a query string. */
export function bodyLimitFor(method: string | undefined, url: string | undefined, defaultBytes: number): BodyLimit {
  let pathname = "/";
  try {
    pathname = new URL(url ?? "/", "http://localhost").pathname;
  } catch {
    // An unparsable target gets the default limit; Next answers it 400 anyway.
  }
  const route = LARGER.find((r) => r.method === method && r.path.test(pathname));
  return { bytes: Math.max(defaultBytes, route?.bytes ?? 0), hint: route?.hint ?? "send a smaller request" };
}

/**
 * Applies `limit` to `req`. Returns false when the request was answered 413 already (declared
 * too large); otherwise the body is counted as the HTTP parser hands it over, and cut off with a
 * 413 (or, once a response has started, a closed connection) when it passes the limit.
 */
export function limitBody(req: IncomingMessage, res: ServerResponse, limit: BodyLimit): boolean {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit.bytes) {
    tooLarge(req, res, limit);
    return false;
  }
  // The parser feeds the body through push() whoever reads it (Next uses its own stream reader):
  // counting there needs no extra listener, so it never changes flowing mode or drops data.
  let seen = 0;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (seen > limit.bytes) return false; // answered already: drop the rest
    if (chunk === null) return push(chunk, encoding);
    seen += chunk instanceof Uint8Array ? chunk.byteLength : Buffer.byteLength(String(chunk));
    if (seen <= limit.bytes) return push(chunk, encoding);
    tooLarge(req, res, limit);
    // false makes the parser stop reading the socket: nothing more is buffered.
    return false;
  };
  return true;
}

function tooLarge(req: IncomingMessage, res: ServerResponse, limit: BodyLimit): void {
  // Whatever the app still tries to write after this goes nowhere, and must not crash the process.
  res.on("error", () => {});
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  const kb = Math.floor(limit.bytes / 1024);
  const body = JSON.stringify({
    error: {
      code: "too_large",
      message: `The request body is larger than the ${kb} KB this endpoint accepts: ${limit.hint}. The server's operator can raise the limit with DOCKSIDE_MAX_BODY_KB.`,
    },
  });
  // Connection: close, so Node does not read the rest of a huge body to keep the connection
  // alive. But closing at once, with the client's bytes still arriving, sends a TCP reset that
  // can destroy this answer before the client reads it: linger a moment instead (what nginx and
  // Go do), half-closed, dropping whatever still arrives, then close.
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  res.writeHead(413, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
}
