// Bad text in a request is refused with a message a person can act on (the route answers 422),
// never silently replaced: every text field a person fills goes through safeText().
import { describe, expect, it } from "vitest";
import { CreateSessionInputSchema, SendMessageInputSchema } from "./api";
import { CreateReviewInputSchema, ReplyInputSchema } from "./review";
import { CreateTeamInputSchema, UpdateTeamInputSchema } from "./teams";

const NUL = "a\u0000b";
const LONE = "before \ud800 after";
const firstIssue = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  const i = r.error?.issues[0];
  return i ? `${i.path.join(".")}: ${i.message}` : "";
};

describe("text fields of the API", () => {
  const cases: [string, (text: string) => ReturnType<typeof CreateSessionInputSchema.safeParse> | { success: boolean }][] = [
    ["a prompt", (t) => CreateSessionInputSchema.safeParse({ repo: "/r", prompt: t })],
    ["a follow-up", (t) => SendMessageInputSchema.safeParse({ text: t })],
    ["a review comment", (t) => CreateReviewInputSchema.safeParse({ verdict: "comment", comments: [{ path: "a.ts", line: 1, side: "new", body: t }] })],
    ["a reply", (t) => ReplyInputSchema.safeParse({ body: t })],
    ["a team name", (t) => CreateTeamInputSchema.safeParse({ name: t })],
    ["team instructions", (t) => UpdateTeamInputSchema.safeParse({ instructions: t })],
  ];
  for (const [what, parse] of cases) {
    it(`refuses a NUL and a lone surrogate in ${what}, and says where`, () => {
      const nul = parse(NUL);
      expect(nul.success).toBe(false);
      expect(firstIssue(nul)).toMatch(/contains a NUL character \(\\u0000\) at position 1; remove it and send again/);
      const lone = parse(LONE);
      expect(lone.success).toBe(false);
      expect(firstIssue(lone)).toMatch(/lone UTF-16 surrogate \(\\ud800\) at position 7, which is not valid Unicode/);
      expect(parse("emoji 😀 and accents é are fine").success).toBe(true);
    });
  }

  it("names the field in the message the route shows", () => {
    expect(firstIssue(CreateSessionInputSchema.safeParse({ repo: "/r", prompt: NUL }))).toMatch(/^prompt: contains a NUL/);
  });

  it("checks budgets and thinking budgets", () => {
    expect(CreateSessionInputSchema.safeParse({ repo: "/r", prompt: "p", budgetUsd: 0 }).success).toBe(false);
    expect(CreateSessionInputSchema.safeParse({ repo: "/r", prompt: "p", thinkingBudget: 500 }).success).toBe(false);
    expect(CreateSessionInputSchema.safeParse({ repo: "/r", prompt: "p", budgetUsd: 2, thinkingBudget: 4096 }).success).toBe(true);
  });
});
