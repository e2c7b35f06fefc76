// The companion's HTTP contract, through the real route handlers with API tokens: GET /api/me
// carries it, PATCH /api/me/companion names and hides the caller's own, and bad input is a 422.
import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as companionPatch } from "../../app/api/me/companion/route";
import { GET as meGet } from "../../app/api/me/route";
import { callRoute } from "../../test/route-call";
import { createApiToken } from "../auth/tokens";
import { connectDb } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import { CompanionSchema, type Companion } from "../protocol/companion";
import { setRuntime, type Runtime } from "../runtime/boot";
import { drawCompanion } from "./draw";

type Body = { companion: Companion; error: { message: string } } & Companion;

let ada: { id: string; token: string };
let bob: { id: string; token: string };

async function person(team: string, role: "owner" | "viewer") {
  const caller = await makeMember(team, role);
  return { id: caller.user.id, token: (await createApiToken(caller.user.id, team, "companion test")).token };
}

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  const team = await makeTeam();
  [ada, bob] = [await person(team, "owner"), await person(team, "viewer")];
});

const me = (token: string) => callRoute<Body, Record<string, string>>(meGet, token, "GET", {});
const patch = (token: string, body: unknown) => callRoute<Body, Record<string, string>>(companionPatch, token, "PATCH", {}, body);

describe("the companion over HTTP", () => {
  it("is part of GET /api/me: drawn from the account, unnamed and shown until the person changes that", async () => {
    const r = await me(ada.token);
    expect(r.status).toBe(200);
    const c = CompanionSchema.parse(r.body.companion);
    const drawn = drawCompanion(ada.id);
    expect(c).toEqual({ species: drawn.species.id, glyph: drawn.species.glyph, rarity: drawn.rarity, stats: drawn.stats, name: null, hidden: false });
    expect((await me(ada.token)).body.companion).toEqual(c);
  });

  it("lets any signed-in person (a viewer too) name and hide their own companion, and nobody else's", async () => {
    const named = await patch(bob.token, { name: "  Pip  " });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ name: "Pip", hidden: false, species: drawCompanion(bob.id).species.id });
    const hidden = await patch(bob.token, { hidden: true });
    expect(hidden.body).toMatchObject({ name: "Pip", hidden: true });
    expect((await me(bob.token)).body.companion).toMatchObject({ name: "Pip", hidden: true });
    // Ada's is untouched: the route has no way to name anyone but the caller.
    expect((await me(ada.token)).body.companion).toMatchObject({ name: null, hidden: false });
    const foreign = await patch(bob.token, { name: "Mine now", userId: ada.id });
    expect(foreign.status).toBe(422);
    expect((await me(ada.token)).body.companion.name).toBeNull();

    const back = await patch(bob.token, { hidden: false, name: null });
    expect(back.body).toMatchObject({ name: null, hidden: false });
  });

  it("refuses a bad name or an empty change with 422 and a reason, and keeps what was stored", async () => {
    await patch(ada.token, { name: "Hoot" });
    const cases: [unknown, RegExp][] = [
      [{ name: "" }, /name/],
      [{ name: "   " }, /name/],
      [{ name: "x".repeat(41) }, /name/],
      [{ name: "bad\u0000name" }, /NUL/],
      [{ name: 42 }, /name/],
      [{ hidden: "yes" }, /hidden/],
      [{}, /nothing to change/],
    ];
    for (const [body, why] of cases) {
      const r = await patch(ada.token, body);
      expect(`${JSON.stringify(body)} ${r.status}`).toBe(`${JSON.stringify(body)} 422`);
      expect(r.body.error.message).toMatch(why);
    }
    expect((await me(ada.token)).body.companion).toMatchObject({ name: "Hoot", hidden: false });
  });
});
