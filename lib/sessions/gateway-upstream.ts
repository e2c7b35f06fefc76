// The gateway's connection to the model API. node:http(s) with keep-alive agents rather than
// fetch: fetch's web streams add about half a millisecond to every call's first token
// (bench/gateway.ts), and the gateway is on the path of every model call.
import http from "node:http";
import https from "node:https";

// One pool per process, as the SDK keeps its connection: the TLS handshake is paid once.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** POSTs `body` to `url`; resolves with the answer's head (its body streams), rejects if it cannot be reached. */
export function postUpstream(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  const send = url.protocol === "https:" ? https.request : http.request;
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const req = send(url, { method: "POST", agent, signal, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, resolve);
    req.on("error", reject);
    req.end(body);
  });
}
