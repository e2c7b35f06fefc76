// One "instance" for the lease tests, as its own process: it registers, beats, and tries to take
// the sessions named on its command line every 300 ms, printing what it holds as JSON lines.
// On stdin: `write <session> <epoch>` runs a fenced write and prints whether it was refused.
import readline from "node:readline";
import { connectDb, db } from "../../lib/db/client";
import { startInstance } from "../../lib/runner/instance";
import { acquireLease, checkFence, onLeaseLost } from "../../lib/runner/lease";

const ids = (process.argv[2] ?? "").split(",").filter(Boolean);
const say = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`);

async function main(): Promise<void> {
  connectDb(process.env.DATABASE_URL!);
  const me = await startInstance();
  onLeaseLost((l) => say({ t: "lost", ...l }));
  say({ t: "ready", instance: me });
  let last = "";
  const loop = async () => {
    const held: Record<string, number> = {};
    for (const id of ids) {
      const lease = await acquireLease(id).catch(() => null);
      if (lease) held[id] = lease.epoch;
    }
    const now = JSON.stringify(held);
    if (now !== last) say({ t: "held", leases: held });
    last = now;
    setTimeout(() => void loop(), 300);
  };
  void loop();
  readline.createInterface({ input: process.stdin }).on("line", (line) => {
    const [cmd, sessionId, epoch] = line.trim().split(/\s+/);
    if (cmd !== "write") return;
    db()
      .$transaction(async (tx) => {
        await checkFence(tx, sessionId, Number(epoch));
        await tx.$executeRaw`UPDATE sessions SET stop_reason = ${`written by ${me} at epoch ${epoch}`} WHERE id = ${sessionId}`;
      })
      .then(() => say({ t: "write", sessionId, ok: true }), (err: Error) => say({ t: "write", sessionId, ok: false, error: err.message }));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
