// Checkpoints come as often as an agent likes, and each new head is a new range to read: the
// review's warm-up reads one range at a time on the whole host, and a session that checkpoints
// while its read waits or runs gets one more read, not one per checkpoint.
import { afterEach, expect, it, vi } from "vitest";

const reads: { session: string; end: () => void }[] = [];
let running = 0;
let most = 0;

vi.mock("../db/client", () => ({
  db: () => ({ session: { findUnique: async ({ where }: { where: { id: string } }) => ({ baseCommit: "b".repeat(40), branch: `dockside/${where.id}` }) } }),
}));
vi.mock("./diff-pages", () => ({
  cachedRange: async (repo: string) => ({ from: "f", to: repo }),
  indexWithLead: (repo: string) =>
    new Promise<void>((resolve) => {
      running++;
      most = Math.max(most, running);
      reads.push({ session: repo.split("/").at(-2)!, end: () => (running--, resolve()) });
    }),
}));

const { warmReviewSoon } = await import("./diff-warm");
const settle = () => new Promise((r) => setTimeout(r, 10));

afterEach(() => {
  reads.length = 0;
});

it("reads one range at a time, and a session's checkpoints while it waits or reads cost one more read", async () => {
  for (let i = 0; i < 5; i++) warmReviewSoon("s1");
  warmReviewSoon("s2");
  await settle();
  expect(reads.map((r) => r.session)).toEqual(["s1"]); // s2 waits its turn
  for (let i = 0; i < 5; i++) warmReviewSoon("s1"); // during s1's read: one more, after s2
  reads[0].end();
  await settle();
  expect(reads.map((r) => r.session)).toEqual(["s1", "s2"]);
  reads[1].end();
  await settle();
  expect(reads.map((r) => r.session)).toEqual(["s1", "s2", "s1"]);
  reads[2].end();
  await settle();
  expect(reads).toHaveLength(3);
  expect(most).toBe(1);
});
