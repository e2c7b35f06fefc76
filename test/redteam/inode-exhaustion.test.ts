// Red team: the session filesystem keeps blocks in reserve for the worker (root), but not inodes.
// An agent that creates empty files until ENOSPC leaves the worker unable to save its state
// (agent.json.tmp, outbox.json.tmp are new inodes): the session fails and cannot be resumed, so the
// agent never gets a turn to clean up. Correct behaviour: the session survives and a follow-up runs.
process.env.DOCKSIDE_SESSION_DISK_GB = "0.03";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../fixtures";
import { outputOf, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../session-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const shell = (command: string) => ({ blocks: [{ type: "tool_use" as const, name: "shell", input: { command } }] });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });

describe("red team: inode exhaustion", () => {
  it("an agent that uses up the inodes of its filesystem does not wedge its session", async () => {
    const marker = `INODES-${crypto.randomBytes(3).toString("hex")}`;
    const fill = `node -e "const fs=require('fs');fs.mkdirSync('f',{recursive:true});let i=0;try{for(;;i++)fs.writeFileSync('f/'+i,'')}catch(e){console.log('made',i,e.code)}"; df -i /workspace`;
    h.stub.addScript(script(marker, [shell(fill), say("Filled."), shell("rm -rf f && echo cleaned"), say("Cleaned.")]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: `${marker} fill` });
    const first = await waitStatusEvent(s.id, "idle", 1, 120_000);
    expect(outputOf(first)).toMatch(/made \d+ ENOSPC/);
    await h.orchestrator.sendMessage(TEAM, s.id, "clean up");
    const second = await waitStatusEvent(s.id, "idle", 2, 120_000);
    expect(outputOf(second)).toContain("cleaned");
  });
});
