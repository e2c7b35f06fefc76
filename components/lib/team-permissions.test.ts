import { describe, expect, it } from "vitest";
import { canChangeRole, canRemove, grantableRoles } from "./team-permissions";

describe("team permissions", () => {
  it("owners grant every role, admins only viewer and member, others none", () => {
    expect(grantableRoles("owner")).toEqual(["viewer", "member", "admin", "owner"]);
    expect(grantableRoles("admin")).toEqual(["viewer", "member"]);
    expect(grantableRoles("member")).toEqual([]);
    expect(grantableRoles("viewer")).toEqual([]);
  });

  it("admins can't touch admins or owners", () => {
    expect(canChangeRole("admin", "member")).toBe(true);
    expect(canChangeRole("admin", "admin")).toBe(false);
    expect(canChangeRole("admin", "owner")).toBe(false);
    expect(canChangeRole("owner", "owner")).toBe(true);
    expect(canChangeRole("member", "viewer")).toBe(false);
  });

  it("anyone may leave", () => {
    expect(canRemove("viewer", "viewer", true)).toBe(true);
    expect(canRemove("viewer", "member", false)).toBe(false);
    expect(canRemove("admin", "owner", false)).toBe(false);
  });
});
