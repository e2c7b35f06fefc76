// On real Docker: the sandbox is killed outright (`docker kill`) while its command prints and the
// server is away, so the worker holds events the host never got. A follow-up starts it again,
// and the transcript holds every line printed before the kill, once, with gapless seqs.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allEvents, outputOf, script, startHarness, TEAM, type Harness } from "../../test/session-harness";
import { makeRepo, waitFor } from "../../test/fixtures";
import { env } from "../config/env";
import { db } from "../db/client";
import { sessionPaths } from "../git/workspace";
import { docker } from "../sandbox/docker";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const LINES = 5000;
// Lines 1-200, then (once the test says go) the rest at full speed, then a long wait: the kill.
const COMMAND = [
  "for i in $(seq 1 200); do echo tick-$i; done",
  "while [ ! -e .go ]; do sleep 0.05; done",
  `seq 201 ${LINES} | sed 's/^/tick-/'`,
  "echo all-print''ed", // the logged command must not hold the marker itself
  "sleep 600",
].join("; ");

it("keeps every line printed before the sandbox was killed outright", async () => {
  h.stub.addScript(
    script("TASK-durable", [
      { blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] },
      { blocks: [{ type: "text", text: "carried on" }] },
    ]),
  );
  const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-durable" });
  await waitFor(async () => outputOf(await allEvents(s.id)).includes("tick-200\n"), "the first lines");

  // The server goes away (the worker keeps what it prints and retries), and the sandbox is killed.
  await h.orchestrator.shutdown();
  const paths = sessionPaths(env().dataDir, s.id);
  fs.writeFileSync(path.join(paths.workspace, ".go"), "");
  const log = path.join(paths.run, "state", "outbox.log");
  await waitFor(async () => fs.readFileSync(log, "utf8").includes("all-printed"), "the worker to have every line");
  const { containerId } = await db().session.findUniqueOrThrow({ where: { id: s.id } });
  await docker().getContainer(containerId!).kill();
  expect(outputOf(await allEvents(s.id))).not.toContain("tick-201\n");

  // The server comes back to a dead sandbox; a follow-up starts it again.
  await h.restart();
  await h.orchestrator.sendMessage(TEAM, s.id, "are you still there?");
  const events = await waitFor(async () => {
    const evs = await allEvents(s.id);
    return evs.some((e) => e.type === "status" && e.data.status === "idle") ? evs : null;
  }, "the session to be idle after the follow-up", 120_000);
  const ticks = outputOf(events)
    .split("\n")
    .filter((l) => l.startsWith("tick-"));
  expect(ticks).toEqual(Array.from({ length: LINES }, (_, i) => `tick-${i + 1}`));
  expect(outputOf(events).split("all-printed")).toHaveLength(2);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  await h.orchestrator.stop(TEAM, s.id).catch(() => {});
});
