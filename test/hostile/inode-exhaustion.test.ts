// A hostile agent fills its disk with empty files until ENOSPC (inodes, not blocks). The worker's
// state lives on a filesystem of its own (run.img), so it still saves its state, the session stays
// usable, and a follow-up runs.
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
