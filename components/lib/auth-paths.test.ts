import { describe, expect, it } from "vitest";
import { invitationPath, isPublicPath, safeNext, signInHref, signUpHref } from "./auth-paths";

describe("isPublicPath", () => {
  it("lets the auth, invitation and share pages through", () => {
    for (const p of ["/sign-in", "/sign-up", "/invite/inv_abc", "/share/abc123", "/share/abc123/"]) expect(isPublicPath(p)).toBe(true);
  });
  it("gates everything else", () => {
    for (const p of ["/", "/settings", "/settings/tokens", "/audit", "/sessions/abc", "/invite", "/share", "/sign-in-x"]) expect(isPublicPath(p)).toBe(false);
  });
});

describe("safeNext", () => {
  it("keeps same-site paths with their query", () => {
    expect(safeNext("/sessions/abc?x=1")).toBe("/sessions/abc?x=1");
    expect(safeNext("/invite/inv_123")).toBe("/invite/inv_123");
  });
  it("refuses other sites and odd input", () => {
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/a\nb", "/a b", "", null, undefined]) {
      expect(safeNext(bad)).toBe("/");
    }
  });
  it("never returns to the auth pages (no loops)", () => {
    expect(safeNext("/sign-in?next=/x")).toBe("/");
    expect(safeNext("/sign-up")).toBe("/");
  });
});

describe("signInHref / signUpHref", () => {
  it("carries next only when it goes somewhere", () => {
    expect(signInHref("/settings")).toBe("/sign-in?next=%2Fsettings");
    expect(signInHref("/")).toBe("/sign-in");
    expect(signUpHref("https://evil.example")).toBe("/sign-up");
    expect(signUpHref("/invite/inv_1")).toBe("/sign-up?next=%2Finvite%2Finv_1");
  });
});

describe("invitationPath", () => {
  it("recognizes the way back to an invitation link, and nothing else", () => {
    expect(invitationPath("/invite/inv_Ab-9_x")).toBe("/invite/inv_Ab-9_x");
    for (const other of ["/invite/abc", "/invite/inv_a/b", "/settings", "//evil.example/invite/inv_a", "/invite/inv_a?x=1", undefined]) expect(invitationPath(other)).toBeNull();
  });
});
