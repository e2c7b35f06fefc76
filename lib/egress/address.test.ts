import { describe, expect, it } from "vitest";
import { forbiddenAddress } from "./address";

describe("forbiddenAddress", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["0.0.0.0", /unspecified/],
    ["10.0.0.5", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["100.64.0.1", /CGNAT/],
    ["169.254.169.254", /metadata/],
    ["169.254.1.1", /link-local/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["240.0.0.1", /reserved/],
    ["255.255.255.255", /broadcast/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["::ffff:127.0.0.1", /loopback.*IPv4-mapped/],
    ["::ffff:7f00:1", /loopback.*IPv4-mapped/],
    ["0:0:0:0:0:ffff:a00:5", /private.*IPv4-mapped/],
    ["::ffff:169.254.169.254", /metadata/],
    ["::127.0.0.1", /loopback.*IPv4-compatible/],
    ["::8.8.8.8", /deprecated/],
    ["::ffff:0:10.0.0.1", /private.*IPv4-translated/],
    ["64:ff9b::a00:1", /private.*NAT64/],
    ["64:ff9b::127.0.0.1", /loopback.*NAT64/],
    ["64:ff9b:1::1", /IETF/],
    ["2002:7f00:1::1", /loopback.*6to4/],
    ["2002:a9fe:a9fe::", /metadata.*6to4/],
    ["2001::1", /Teredo/],
    ["2001:db8::1", /documentation/],
    ["fd00:ec2::254", /metadata/],
    ["fc00::1", /unique local/],
    ["fd12:3456::1", /unique local/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["ff02::1", /multicast/],
    ["100::1", /IETF/],
    ["4000::1", /global unicast/],
    ["not-an-ip", /not an IP/],
    ["0177.0.0.1", /not an IP/],
  ])("refuses %s", (ip, why) => {
    expect(forbiddenAddress(ip)).toMatch(why);
  });

  // 203.0.113.80 and 198.18.0.1: routed on purpose by some networks (see address.ts).
  it.each(["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "203.0.113.80", "198.18.0.1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "2001:4860:4860::8888"])("allows public %s", (ip) => {
    expect(forbiddenAddress(ip)).toBeNull();
  });
});
