// Red team: a session flooding the egress proxy with names whose nameserver never answers. The
// system resolver (getaddrinfo) runs on libuv's threadpool, shared with all of Dockside's file
// I/O: unrationed, 4 hanging lookups stalled every fs call of the host process. The proxy's
// default lookup is now rationed process-wide (lib/egress/lookup.ts); this proves the ration.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_RUNNING, rationed } from "../../lib/egress/lookup";

describe("hostile egress: DNS lookups cannot take the host's threadpool", () => {
  it("runs at most MAX_RUNNING lookups at once (fewer than libuv's 4 threads), queues a bounded number, and times the queue out", async () => {
    expect(MAX_RUNNING).toBeLessThan(4);
    let running = 0;
    let peak = 0;
    const hang: (() => void)[] = [];
    const slow = rationed(
      () =>
        new Promise<string>((resolve) => {
          running++;
          peak = Math.max(peak, running);
          hang.push(() => {
            running--;
            resolve("ok");
          });
        }),
      MAX_RUNNING,
      10,
      300,
    );
    const calls = Array.from({ length: 50 }, () => slow("x").catch((e: NodeJS.ErrnoException) => e.code));
    await new Promise((r) => setTimeout(r, 50));
    expect(peak).toBe(MAX_RUNNING);
    // While the "resolver" hangs, file I/O on the threadpool still completes.
    await fs.promises.readFile(import.meta.filename);
    const results = await Promise.all(calls.map((p, i) => (i < MAX_RUNNING ? Promise.race([p, new Promise((r) => setTimeout(() => r("hung"), 400))]) : p)));
    expect(results.slice(0, MAX_RUNNING)).toEqual(Array(MAX_RUNNING).fill("hung"));
    expect(results.filter((r) => r === "EBUSY")).toHaveLength(50 - MAX_RUNNING - 10);
    expect(results.filter((r) => r === "ETIMEOUT")).toHaveLength(10);
    // Finished lookups free their slots for the next.
    for (const h of hang.splice(0)) h();
    const after = slow("y");
    await new Promise((r) => setTimeout(r, 10));
    hang.splice(0).forEach((h) => h());
    expect(await after).toBe("ok");
  });

  it("a throwing lookup frees its slot", async () => {
    const bad = rationed(() => {
      throw new Error("boom");
    }, 1, 1, 100);
    await expect(bad("a")).rejects.toThrow("boom");
    await expect(bad("b")).rejects.toThrow("boom");
  });
});
