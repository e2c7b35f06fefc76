import { describe, expect, it } from "vitest";
import { expandAllow, hostAllowed, normalizeHost } from "./policy";

const host = (raw: string) => {
  const n = normalizeHost(raw);
  return "host" in n ? n.host : `error: ${n.error}`;
};

describe("normalizeHost", () => {
  it("lowercases and strips one trailing dot", () => {
    expect(host("Registry.NPMJS.org.")).toBe("registry.npmjs.org");
    expect(host("a-b.example.com")).toBe("a-b.example.com");
    expect(host("xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
    expect(host("example.com..")).toMatch(/^error: not a public domain/);
  });

  it.each([
    ["", /empty/],
    ["a".repeat(250) + ".com", /longer than 253/],
    ["allowed.test\0.evil.com", /control character, NUL/],
    ["allowed.test .evil.com", /whitespace/],
    ["allowed.test\r\nx", /control/],
    ["allowed.test%00.evil.com", /percent/],
    ["%61llowed.test", /percent/],
    ["allowed.test@evil.com", /userinfo/],
    ["allowed.test/evil.com", /path separator/],
    ["allowed.test\\evil.com", /path separator/],
    ["\u212Aey.example.com", /not ASCII/], // Kelvin sign lowercases to "k"
    ["bücher.example", /not ASCII/],
    ["localhost", /not a public domain/],
    ["under_score.example.com", /not a public domain/],
    ["-lead.example.com", /not a public domain/],
    ["127.0.0.1", /IP address literal/],
    ["2130706433", /IP address literal/],
    ["0x7f000001", /IP address literal/],
    ["0x7f.1", /IP address literal/],
    ["0177.0.0.1", /IP address literal/],
    ["127.1", /IP address literal/],
    ["1.2.3.4.", /IP address literal/],
    ["example.0x10", /IP address literal/],
    ["[::1]", /IPv6/],
    ["::1", /IPv6/],
    ["[::ffff:127.0.0.1]", /IPv6/],
    ["[0:0:0:0:0:ffff:7f00:1]", /IPv6/],
    ["allowed.test:443", /IPv6/],
  ])("refuses %j", (raw, why) => {
    expect(host(raw)).toMatch(why);
  });
});

describe("hostAllowed", () => {
  const allow = ["allowed.test", "*.allowed.test"];

  it("matches exact names and subdomains of *.suffix on a dot boundary", () => {
    expect(hostAllowed("allowed.test", allow)).toBe(true);
    expect(hostAllowed("sub.allowed.test", allow)).toBe(true);
    expect(hostAllowed("a.b.allowed.test", allow)).toBe(true);
    expect(hostAllowed("ALLOWED.TEST.", allow)).toBe(true);
  });

  it("refuses the prefix/suffix bypasses", () => {
    expect(hostAllowed("allowed.test.evil.com", allow)).toBe(false);
    expect(hostAllowed("evilallowed.test", allow)).toBe(false);
    expect(hostAllowed("allowed.testevil.com", allow)).toBe(false);
    expect(hostAllowed("example.com", ["*.example.com"])).toBe(false);
    expect(hostAllowed("evilexample.com", ["*.example.com"])).toBe(false);
    expect(hostAllowed("sub.example.com", ["*.example.com"])).toBe(true);
    expect(hostAllowed("allowed.test\0", allow)).toBe(false);
    expect(hostAllowed("allowed.test@evil.com", allow)).toBe(false);
  });

  it("expands presets and skips invalid entries", () => {
    expect(hostAllowed("registry.npmjs.org", ["npm"])).toBe(true);
    expect(hostAllowed("www.npmjs.org", ["npm"])).toBe(true);
    expect(hostAllowed("evilnpmjs.org", ["npm"])).toBe(false);
    expect(hostAllowed("github.com", ["npm"])).toBe(false);
    const e = expandAllow(["NPM", " Example.COM ", "127.0.0.1", "*.", "not a domain", "*.sfx.test"]);
    expect([...e.exact].sort()).toEqual(["example.com", "registry.npmjs.org", "registry.yarnpkg.com"]);
    expect(e.suffixes.sort()).toEqual(["npmjs.org", "sfx.test"]);
    expect(hostAllowed("127.0.0.1", ["127.0.0.1"])).toBe(false);
  });
});
