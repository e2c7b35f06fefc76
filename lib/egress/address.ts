// Addresses the egress proxy never connects to, whatever name led there. A public name can
// resolve to anything (DNS is the sandbox's to choose: it can register `evil.com` → 10.0.0.5), so
// after resolving, every address is checked here; only a pin (pins.ts) reaches a private one.
// IPv6 has several ways to carry an IPv4 address (mapped, compatible, NAT64, 6to4): the embedded
// address is checked as IPv4, otherwise `::ffff:127.0.0.1` would be loopback under another name.
// Globally, only 2000::/3 is unicast IPv6; everything outside it is refused.
import net from "node:net";

type Family = "ipv4" | "ipv6";
interface Range {
  reason: string;
  list: net.BlockList;
}

function ranges(family: Family, spec: [string, string[]][]): Range[] {
  return spec.map(([reason, cidrs]) => {
    const list = new net.BlockList();
    for (const cidr of cidrs) {
      const [address, prefix] = cidr.split("/");
      list.addSubnet(address, Number(prefix), family);
    }
    return { reason, list };
  });
}

// Order matters only for the reason shown: the most specific first.
const V4 = ranges("ipv4", [
  // 168.63.129.16: Azure's WireServer/DNS, a public address only the VM's host answers (an SSRF classic).
  ["the cloud metadata address", ["169.254.169.254/32", "100.100.100.200/32", "168.63.129.16/32"]],
  ["an unspecified address", ["0.0.0.0/8"]],
  ["a loopback address", ["127.0.0.0/8"]],
  ["a private address", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]],
  ["a shared (CGNAT) address", ["100.64.0.0/10"]],
  ["a link-local address", ["169.254.0.0/16"]],
  ["an IETF protocol address", ["192.0.0.0/24", "192.88.99.0/24"]],
  // Not refused: the documentation (TEST-NET) and benchmarking ranges. They are nobody's private
  // network, and some networks route them on purpose (on our CI machines the npm registry
  // resolves into 203.0.113.0/24; fake-IP resolvers hand out 198.18.0.0/15): refusing them broke
  // `npm install` through the allowlist and protected nothing of the host's.
  ["a multicast address", ["224.0.0.0/4"]],
  ["the broadcast address", ["255.255.255.255/32"]],
  ["a reserved address", ["240.0.0.0/4"]],
]);

const V6 = ranges("ipv6", [
  ["the cloud metadata address", ["fd00:ec2::254/128"]],
  ["an unspecified address", ["::/128"]],
  ["a loopback address", ["::1/128"]],
  ["a Teredo address", ["2001::/32"]],
  ["a benchmarking address", ["2001:2::/48"]],
  ["an IETF protocol address", ["2001::/23", "100::/64", "64:ff9b:1::/48"]],
  ["a documentation address", ["2001:db8::/32", "3fff::/20"]],
  ["a private address (unique local)", ["fc00::/7"]],
  ["a link-local address", ["fe80::/10", "fec0::/10"]],
  ["a multicast address", ["ff00::/8"]],
]);
const GLOBAL_UNICAST = ranges("ipv6", [["", ["2000::/3"]]])[0].list;

function check(table: Range[], ip: string, family: Family): string | null {
  for (const r of table) if (r.list.check(ip, family)) return r.reason;
  return null;
}

/** The eight 16-bit words of a valid IPv6 address (zone removed). */
function words(ip: string): number[] {
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1].split(".").map(Number);
    s = `${s.slice(0, v4.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail === undefined ? [] : tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((w) => parseInt(w, 16));
}

const v4of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** Why `ip` must not be connected to, or null when it is a public address. */
export function forbiddenAddress(ip: string): string | null {
  const kind = net.isIP(ip);
  if (kind === 4) return check(V4, ip, "ipv4");
  if (kind !== 6) return "not an IP address";
  const bare = ip.split("%")[0]; // a zone id only ever comes with link-local addresses
  const w = words(bare);
  const zeros = (n: number) => w.slice(0, n).every((x) => x === 0);
  const embedded = (label: string, hi: number, lo: number) => {
    const why = check(V4, v4of(hi, lo), "ipv4");
    return why && `${why} (${label})`;
  };
  // ::ffff:a.b.c.d connects over IPv4: it is exactly as public as a.b.c.d.
  if (zeros(5) && w[5] === 0xffff) return embedded("IPv4-mapped", w[6], w[7]);
  // NAT64 (64:ff9b::/96) is a translator's way to reach IPv4: the same rule.
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) return embedded("NAT64", w[6], w[7]);
  // Deprecated IPv4-compatible (::a.b.c.d, which includes :: and ::1) and IPv4-translated
  // (::ffff:0:a.b.c.d): never public, but say what they point at.
  if (zeros(6) || (zeros(4) && w[4] === 0xffff && w[5] === 0)) {
    return check(V6, bare, "ipv6") ?? embedded(zeros(6) ? "IPv4-compatible" : "IPv4-translated", w[6], w[7]) ?? "a deprecated IPv4-in-IPv6 address";
  }
  // 6to4 (2002:aabb:ccdd::/48) routes to the IPv4 address in its second and third words.
  if (w[0] === 0x2002) {
    const why = embedded("6to4", w[1], w[2]);
    if (why) return why;
  }
  const why = check(V6, bare, "ipv6");
  if (why) return why;
  if (!GLOBAL_UNICAST.check(bare, "ipv6")) return "not a global unicast address";
  return null;
}
