// Accepting invitation links never changes the role of someone already in the team, even when
// two links to one team are accepted at the same moment.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam, makeUser } from "../history/test-fixtures";
import type { Role } from "../auth/roles";
import { acceptInvitation, createInvitation } from "./invitations";

let teamId: string;
let ownerAccess: Parameters<typeof createInvitation>[0];

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  teamId = await makeTeam();
  const owner = await makeMember(teamId, "owner", "Olga");
  ownerAccess = { caller: owner, teamId, role: "owner" };
});

async function link(role: Role): Promise<string> {
  const inv = await createInvitation(ownerAccess, role);
  return inv.url!.split("/invite/")[1];
}

const roleOf = async (userId: string) => (await db().member.findMany({ where: { teamId, userId } })).map((m) => m.role);

describe("accepting invitations", () => {
  it("keeps the role of someone already in the team (an admin opening a viewer link stays admin)", async () => {
    const admin = await makeMember(teamId, "admin", "Adam");
    await acceptInvitation(admin, await link("viewer"));
    expect(await roleOf(admin.user.id)).toEqual(["admin"]);
  });

  it("gives one membership with one link's role when two links are accepted at once", async () => {
    const user = await makeUser("Twice");
    const [viewerLink, adminLink] = [await link("viewer"), await link("admin")];
    const results = await Promise.allSettled([acceptInvitation(user, viewerLink), acceptInvitation(user, adminLink)]);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const roles = await roleOf(user.user.id);
    expect(roles).toHaveLength(1);
    expect(["viewer", "admin"]).toContain(roles[0]);
    // A later link no longer changes it.
    await acceptInvitation(user, await link(roles[0] === "viewer" ? "admin" : "viewer"));
    expect(await roleOf(user.user.id)).toEqual(roles);
    const added = await db().auditEntry.count({ where: { teamId, action: "member.added", targetId: user.user.id } });
    expect(added).toBe(1);
  });
});
