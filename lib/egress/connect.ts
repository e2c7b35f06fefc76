// Connecting to the addresses a decision resolved, in order, by IP: the socket never looks a name
// up, so what was checked is what is reached.
import net from "node:net";
import type { Addr } from "./decide";

// A name with many addresses must not hold a request for many connect timeouts.
const MAX_ATTEMPTS = 4;

/** The first address that accepts a TCP connection; rejects with the last error. */
export async function connectFirst(addresses: Addr[], port: number, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
  let last: unknown = new Error("no address to connect to");
  for (const a of addresses.slice(0, MAX_ATTEMPTS)) {
    if (signal.aborted) throw new Error("aborted");
    try {
      return await connectOne(a, port, timeoutMs, signal);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

function connectOne(a: Addr, port: number, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: a.address, port, family: a.family });
    const timer = setTimeout(() => fail(new Error(`connecting to ${a.address} timed out`)), timeoutMs);
    const onAbort = () => fail(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", ok);
    socket.once("error", fail);
    function cleanup() {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("connect", ok);
      socket.off("error", fail);
    }
    function fail(err: Error) {
      cleanup();
      socket.destroy();
      reject(err);
    }
    function ok() {
      cleanup();
      // Errors from here on end in 'close', which the caller handles; an unhandled 'error' would crash.
      socket.on("error", () => {});
      resolve(socket);
    }
  });
}
