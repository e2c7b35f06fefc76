// The audit listing on the real test database: newest first, keyset pages, team scoped.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb } from "../db/client";
import { makeTeam } from "../history/test-fixtures";
import { AuditQuerySchema, listAudit } from "./list-audit";
import { recordAudit } from "./record";

let team: string;

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  team = await makeTeam();
  const other = await makeTeam();
  for (let i = 0; i < 7; i++) {
    await recordAudit({ teamId: team, actor: { id: "u1", name: "Ada" }, action: "share.created", targetType: "share", targetId: `s${i}`, data: { i } });
  }
  await recordAudit({ teamId: other, actor: null, action: "team.created", targetType: "team", targetId: other });
});

describe("audit listing", () => {
  it("pages newest first without duplicates or gaps, and only the team's entries", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listAudit(team, AuditQuerySchema.parse({ limit: "3", ...(cursor ? { cursor } : {}) }));
      seen.push(...page.entries.map((e) => e.targetId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
    const [first] = (await listAudit(team, AuditQuerySchema.parse({}))).entries;
    expect(first).toMatchObject({ action: "share.created", actorName: "Ada", targetType: "share", data: { i: 6 } });
    expect(first.id).toMatch(/^\d+$/);
  });

  it("refuses a cursor it did not issue", async () => {
    await expect(listAudit(team, AuditQuerySchema.parse({ cursor: "zzz" }))).rejects.toMatchObject({ code: "invalid" });
    const foreign = Buffer.from(JSON.stringify({ t: new Date().toISOString(), id: "abc" })).toString("base64url");
    await expect(listAudit(team, AuditQuerySchema.parse({ cursor: foreign }))).rejects.toMatchObject({ code: "invalid" });
  });
});
