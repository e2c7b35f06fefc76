import { describe, expect, it } from "vitest";
import { reviewPermissions } from "./permissions";

describe("reviewPermissions", () => {
  it("lets members review and merge an unprotected base", () => {
    expect(reviewPermissions("member", false, "main", false)).toMatchObject({ canReview: true, canMerge: true, mergeBlocked: null });
  });

  it("keeps members off a protected base and lets admins and owners merge it", () => {
    const p = reviewPermissions("member", true, "main", false);
    expect(p.canMerge).toBe(false);
    expect(p.mergeBlocked).toMatch(/main is protected/);
    expect(reviewPermissions("admin", true, "main", false).canMerge).toBe(true);
    expect(reviewPermissions("owner", true, "main", false).canMerge).toBe(true);
  });

  it("lets viewers and strangers only read", () => {
    for (const role of ["viewer", null] as const) {
      const p = reviewPermissions(role, false, "main", false);
      expect([p.canReview, p.canMerge]).toEqual([false, false]);
      expect(p.reviewBlocked).toBeTruthy();
    }
  });

  it("doesn't offer a second merge", () => {
    expect(reviewPermissions("owner", false, "main", true).mergeBlocked).toMatch(/already merged/);
  });
});
