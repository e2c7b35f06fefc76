// The system resolver, rationed. dns.lookup() is getaddrinfo(3) on libuv's threadpool: 4 threads
// by default, shared with every fs, crypto and zlib call of the whole Dockside process. A sandbox
// whose policy lets it name hosts (open, or a *.suffix it controls) can ask for hundreds of names
// whose nameserver never answers; each call holds a thread for the resolver's full timeout (the
// proxy's own lookupMs only stops waiting, the thread stays blocked), and with every thread taken
// the host's file I/O stalls for every session and the web. So: at most MAX_RUNNING lookups run at
// once across all proxies (leaving threads for everything else), a bounded queue waits behind
// them, and a lookup that waited too long in the queue gives up without ever taking a thread.
import dns from "node:dns";
import type { Addr, Lookup } from "./decide";

export const MAX_RUNNING = 2;
export const MAX_QUEUED = 512;
export const MAX_WAIT_MS = 10_000;

interface Waiting {
  start: () => void;
  timer: NodeJS.Timeout;
}

/** `fn` with at most `running` calls at once, `queued` more waiting at most `waitMs` each; the rest fail with code EBUSY/ETIMEOUT. */
export function rationed<A, R>(fn: (a: A) => Promise<R>, running = MAX_RUNNING, queued = MAX_QUEUED, waitMs = MAX_WAIT_MS): (a: A) => Promise<R> {
  let active = 0;
  const queue: Waiting[] = [];
  const next = () => {
    const w = queue.shift();
    if (!w) return;
    clearTimeout(w.timer);
    w.start();
  };
  return (a: A) =>
    new Promise<R>((resolve, reject) => {
      const start = () => {
        active++;
        let p: Promise<R>;
        try {
          p = fn(a);
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(resolve, reject).finally(() => {
          active--;
          next();
        });
      };
      if (active < running) return start();
      if (queue.length >= queued) return reject(Object.assign(new Error("too many DNS lookups at once"), { code: "EBUSY" }));
      const w: Waiting = {
        start,
        timer: setTimeout(() => {
          const i = queue.indexOf(w);
          if (i >= 0) queue.splice(i, 1);
          reject(Object.assign(new Error("timed out waiting for the resolver"), { code: "ETIMEOUT" }));
        }, waitMs),
      };
      w.timer.unref();
      queue.push(w);
    });
}

/** The default lookup of every egress proxy in this process: the system resolver, rationed. */
export const systemLookup: Lookup = rationed(async (host: string): Promise<Addr[]> => (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
