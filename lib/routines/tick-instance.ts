// Another Dockside instance, for the "fires once across instances" test (instances.test.ts): a
// separate process on the same database that ticks at the moment it is given, when told "go" on
// stdin, and prints what its tick did. It has no orchestrator: a run it wins waits for a process
// that has one (the job, or the tick's re-send of runs left queued).
import { connectDb, db, disconnectDb } from "../db/client";
import "../jobs/registry";
import { tickRoutines } from "./tick";

async function main(): Promise<void> {
  const at = new Date(process.argv[2] ?? "");
  if (Number.isNaN(at.getTime())) throw new Error("usage: tick-instance.ts <ISO time>");
  connectDb(process.env.DATABASE_URL!);
  await db().$queryRaw`SELECT 1`;
  process.stdout.write("ready\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  const result = await tickRoutines(at);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await disconnectDb();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
