// DOCKSIDE_EGRESS_PINS: names the egress proxy sends to a fixed address, like curl's --resolve.
// The operator's way (never the sandbox's) to reach an internal registry or a test server: it is
// the only path to a loopback or private address, so it is parsed strictly and a typo stops the
// start with a message rather than silently pinning something else.
import net from "node:net";
import { normalizeHost } from "./policy";

/** Normalized name → the address and port it connects to (the port replaces the requested one). */
export type Pins = Map<string, { host: string; port: number }>;

const EXAMPLE = "registry.test=127.0.0.1:4873,other.test=[::1]:8080";

/** Parses `name=ipv4:port` and `name=[ipv6]:port`, comma-separated; throws a readable Error. */
export function parsePins(spec: string): Pins {
  const pins: Pins = new Map();
  for (const item of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const bad = (why: string) => new Error(`DOCKSIDE_EGRESS_PINS: ${JSON.stringify(item.slice(0, 120))} ${why} (expected name=address:port, e.g. ${EXAMPLE})`);
    const eq = item.indexOf("=");
    if (eq < 0) throw bad("has no '='");
    const name = normalizeHost(item.slice(0, eq).trim());
    if ("error" in name) throw bad(`has an invalid name: ${name.error}`);
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(item.slice(eq + 1).trim());
    if (!m) throw bad("does not end in address:port (an IPv6 address goes in brackets)");
    const host = m[1] ?? m[2];
    const family = net.isIP(host);
    if (!family || (m[1] !== undefined && family !== 6) || (m[2] !== undefined && family !== 4)) throw bad(`has ${JSON.stringify(host)}, which is not an IP address`);
    if (host.includes("%")) throw bad("has a zone id; pin a routable address");
    const port = Number(m[3]);
    if (port < 1 || port > 65535) throw bad("has a port outside 1-65535");
    if (pins.has(name.host)) throw bad(`pins ${name.host} a second time`);
    pins.set(name.host, { host, port });
  }
  return pins;
}
