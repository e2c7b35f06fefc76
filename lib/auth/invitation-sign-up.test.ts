// Signing up through an invitation link, at the route: one request makes the account, signs it in
// and puts it in the team; a link that cannot be used refuses the sign-up before any account exists.
import { beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "../../app/api/auth/[...all]/route";
import { GET as offerGet } from "../../app/api/invitations/[key]/route";
import { GET as meGet } from "../../app/api/me/route";
import { env } from "../config/env";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam, rid } from "../history/test-fixtures";
import { MeDtoSchema, INVITATION_HEADER } from "../protocol/teams";
import { setRuntime, type Runtime } from "../runtime/boot";
import { createInvitation } from "../teams/invitations";

let teamId: string;
let inviter: string;

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  teamId = await makeTeam();
  const owner = await makeMember(teamId, "owner", "Olga");
  inviter = owner.user.name;
  await db().team.update({ where: { id: teamId }, data: { name: "Acme Robots" } });
});

async function newLink(role: "member" | "viewer" = "member"): Promise<string> {
  const owner = await db().member.findFirstOrThrow({ where: { teamId, role: "owner" }, include: { user: true } });
  const inv = await createInvitation({ caller: { user: owner.user, via: "cookie" }, teamId, role: "owner" }, role);
  return inv.url!.split("/invite/")[1];
}

function signUp(email: string, invitation?: string): Promise<Response> {
  const origin = new URL(env().publicUrl).origin;
  const headers: Record<string, string> = { "content-type": "application/json", origin, ...(invitation ? { [INVITATION_HEADER]: invitation } : {}) };
  const body = JSON.stringify({ name: "Nina Newcomer", email, password: "correct horse battery" });
  return authPost(new Request(`${origin}/api/auth/sign-up/email`, { method: "POST", headers, body }));
}

async function meOf(res: Response) {
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const me = await meGet(new Request("http://dockside.test/api/me", { headers: { cookie } }), { params: Promise.resolve({}) });
  expect(me.status).toBe(200);
  return MeDtoSchema.parse(await me.json());
}

describe("sign-up through an invitation link", () => {
  it("makes the account and puts it in the team with the link's role, no second click", async () => {
    const token = await newLink("viewer");
    const offer = await offerGet(new Request(`http://dockside.test/api/invitations/${token}`), { params: Promise.resolve({ key: token }) });
    expect(await offer.json()).toEqual({ teamName: "Acme Robots", role: "viewer", invitedBy: inviter, valid: true });
    const email = `nina-${rid(6)}@example.test`;
    const res = await signUp(email, token);
    expect(res.status).toBe(200);
    const me = await meOf(res);
    expect(me.user.email).toBe(email);
    expect(me.teams).toEqual([expect.objectContaining({ id: teamId, name: "Acme Robots", role: "viewer" })]);
    const audit = await db().auditEntry.findMany({ where: { teamId, actorId: me.user.id }, select: { action: true } });
    expect(audit.map((a) => a.action).sort()).toEqual(["invite.accepted", "member.added"]);
  });

  it("refuses a used link before making an account, and says why", async () => {
    const token = await newLink();
    expect((await signUp(`first-${rid(6)}@example.test`, token)).status).toBe(200);
    const email = `second-${rid(6)}@example.test`;
    const res = await signUp(email, token);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/already used.*ask an admin of the team for a new link/);
    expect(await db().user.count({ where: { email } })).toBe(0);
  });

  it("refuses a link that does not exist", async () => {
    const email = `lost-${rid(6)}@example.test`;
    const res = await signUp(email, "inv_doesnotexist");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/does not exist/);
    expect(await db().user.count({ where: { email } })).toBe(0);
  });

  it("leaves a sign-up without a link teamless, as it was", async () => {
    const res = await signUp(`plain-${rid(6)}@example.test`);
    expect(res.status).toBe(200);
    expect((await meOf(res)).teams).toEqual([]);
  });
});
