import { describe, expect, it } from "vitest";
import { createMatcher, keyLabel, matchesStep, type Press } from "./shortcuts";

const press = (key: string, mods: Partial<Press> = {}): Press => ({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe("matchesStep", () => {
  it("matches a plain key only without Ctrl, ⌘ or Alt", () => {
    expect(matchesStep("j", press("j"))).toBe(true);
    expect(matchesStep("j", press("J"))).toBe(false);
    expect(matchesStep("j", press("j", { ctrlKey: true }))).toBe(false);
    expect(matchesStep("j", press("j", { metaKey: true }))).toBe(false);
    expect(matchesStep("j", press("j", { altKey: true }))).toBe(false);
  });

  it("takes ? as typed, whatever Shift the layout needs", () => {
    expect(matchesStep("?", press("?"))).toBe(true);
    expect(matchesStep("/", press("?"))).toBe(false);
  });

  it("reads mod as Ctrl or ⌘", () => {
    expect(matchesStep("mod+Enter", press("Enter", { ctrlKey: true }))).toBe(true);
    expect(matchesStep("mod+Enter", press("Enter", { metaKey: true }))).toBe(true);
    expect(matchesStep("mod+Enter", press("Enter"))).toBe(false);
  });
});

describe("createMatcher", () => {
  const bindings = ["g h", "g m", "j", "?"];

  it("completes a sequence with its second key", () => {
    const match = createMatcher(() => 0);
    expect(match(bindings, press("g"))).toBeNull();
    expect(match(bindings, press("h"))).toBe("g h");
  });

  it("forgets the first key of a sequence after a pause", () => {
    let t = 0;
    const match = createMatcher(() => t);
    match(bindings, press("g"));
    t = 5000;
    expect(match(bindings, press("h"))).toBeNull();
  });

  it("answers a single key and drops a sequence another key broke", () => {
    const match = createMatcher(() => 0);
    expect(match(bindings, press("j"))).toBe("j");
    match(bindings, press("g"));
    expect(match(bindings, press("x"))).toBeNull();
    expect(match(bindings, press("h"))).toBeNull();
  });

  it("lets a key that follows a started sequence count on its own", () => {
    const match = createMatcher(() => 0);
    match(bindings, press("g"));
    expect(match(bindings, press("?"))).toBe("?");
  });
});

describe("keyLabel", () => {
  it("writes Ctrl or ⌘ for mod and splits sequences", () => {
    expect(keyLabel("mod+Enter", false)).toEqual(["Ctrl+Enter"]);
    expect(keyLabel("mod+Enter", true)).toEqual(["⌘+Enter"]);
    expect(keyLabel("g h", false)).toEqual(["g", "h"]);
    expect(keyLabel("Escape", false)).toEqual(["Esc"]);
  });
});
