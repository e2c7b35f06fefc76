import { describe, expect, it } from "vitest";
import { parsePins } from "./pins";

describe("parsePins", () => {
  it("parses IPv4 and bracketed IPv6 targets, normalizing names", () => {
    const pins = parsePins(" registry.test=127.0.0.1:4873, Other.Test.=[::1]:8080 ,");
    expect([...pins]).toEqual([
      ["registry.test", { host: "127.0.0.1", port: 4873 }],
      ["other.test", { host: "::1", port: 8080 }],
    ]);
    expect(parsePins("").size).toBe(0);
  });

  it.each([
    ["registry.test", /has no '='/],
    ["registry.test=127.0.0.1", /address:port/],
    ["registry.test=127.0.0.1:0", /1-65535/],
    ["registry.test=127.0.0.1:70000", /1-65535/],
    ["registry.test=::1:80", /address:port/],
    ["registry.test=[127.0.0.1]:80", /not an IP/],
    ["registry.test=example.com:80", /not an IP/],
    ["registry.test=[fe80::1%eth0]:80", /zone/],
    ["localhost=127.0.0.1:80", /invalid name/],
    ["127.0.0.1=127.0.0.1:80", /invalid name/],
    ["a.test=127.0.0.1:80,A.test=127.0.0.1:81", /second time/],
  ])("refuses %j", (spec, why) => {
    expect(() => parsePins(spec)).toThrow(why);
    expect(() => parsePins(spec)).toThrow(/DOCKSIDE_EGRESS_PINS/);
  });
});
