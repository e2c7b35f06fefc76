// Which host names the egress proxy may reach: normalizing what a sandbox asked for, and matching
// it against the allowlist. Everything here reads hostile input, so it refuses instead of repairing:
// a name that needs interpretation (percent-encoding, IDNA, numeric IPv4 shorthands, userinfo) is
// exactly where a proxy and a resolver disagree about which host is meant.
import net from "node:net";
import { DOMAIN_RE, EGRESS_PRESETS, EgressAllowEntry, type EgressPreset } from "../protocol/environments";

/**
 * The canonical form of a requested host name, or why it is refused.
 *
 * The checks run on the raw string, in this order, because each one closes a known bypass:
 * - control characters, NUL, whitespace: `allowed.test\0.evil.com` passes a C-string or prefix
 *   check on one side and names evil.com on the other;
 * - non-ASCII *before* lowercasing: `"\u212A".toLowerCase()` is `k`, so a Kelvin sign would become
 *   an allowed name after the check (IDNs are reachable in their xn-- form);
 * - `%`: percent-decoding by a later layer would turn `%2e` or `%00` into a different name;
 * - `@`, `/`, `\`: userinfo and path separators make URL parsers disagree about the host
 *   (`allowed.test@evil.com`, `allowed.test\@evil.com`);
 * - IP literals in every form resolvers accept (`[::1]`, `::ffff:127.0.0.1`, `2130706433`,
 *   `0x7f000001`, `0177.0.0.1`, `127.1`): an address skips the name policy and, for loopback or
 *   private ones, the address checks the proxy does after resolving. A name whose last label is a
 *   number is treated as IPv4 by the URL standard and by getaddrinfo, so it is refused too.
 */
export function normalizeHost(raw: string): { host: string } | { error: string } {
  if (typeof raw !== "string" || raw.length === 0) return { error: "the host name is empty" };
  if (raw.length > 254) return { error: "the host name is longer than 253 characters" };
  if (/[\x00-\x20\x7f]/.test(raw)) return { error: "the host name contains a control character, NUL or whitespace" };
  if (/[^\x00-\x7f]/.test(raw)) return { error: "the host name is not ASCII (name an internationalized domain by its xn-- form)" };
  if (raw.includes("%")) return { error: "the host name contains percent-encoding" };
  if (raw.includes("@")) return { error: "the host name contains userinfo ('@')" };
  if (/[/\\]/.test(raw)) return { error: "the host name contains a path separator" };
  if (/[[\]:]/.test(raw)) return { error: "IPv6 address literals are not allowed (name a host)" };
  let host = raw.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return { error: "the host name is empty or longer than 253 characters" };
  const last = host.slice(host.lastIndexOf(".") + 1);
  if (net.isIP(host) || /^(?:[0-9]+|0x[0-9a-f]*)$/.test(last)) return { error: "IP address literals are not allowed (name a host)" };
  if (!DOMAIN_RE.test(host)) return { error: "not a public domain name (letters, digits and hyphens in two or more labels)" };
  return { host };
}

export interface ExpandedAllow {
  exact: Set<string>;
  /** Suffixes without the `*.` (`example.com` for `*.example.com`), matched on a dot boundary. */
  suffixes: string[];
}

// rule() is read on every request and the allowlist rarely changes: remember the last expansion.
let last: { key: string; value: ExpandedAllow } | undefined;

/**
 * The allowlist's entries as exact names and suffixes, presets expanded. An entry that is not
 * valid is skipped (it was validated when stored; skipping only ever allows less).
 */
export function expandAllow(entries: string[]): ExpandedAllow {
  const key = entries.join("\n");
  if (last?.key === key) return last.value;
  const exact = new Set<string>();
  const suffixes = new Set<string>();
  const add = (entry: string) => {
    if (entry.startsWith("*.")) suffixes.add(entry.slice(2));
    else exact.add(entry);
  };
  for (const raw of entries) {
    const parsed = EgressAllowEntry.safeParse(raw);
    if (!parsed.success) continue;
    const entry = parsed.data;
    if (Object.hasOwn(EGRESS_PRESETS, entry)) for (const e of EGRESS_PRESETS[entry as EgressPreset]) add(e);
    else add(entry);
  }
  const value = { exact, suffixes: [...suffixes] };
  last = { key, value };
  return value;
}

/**
 * Whether `host` is on the allowlist: an exact entry, or `*.suffix` with a dot right before the
 * suffix. A `startsWith`/`endsWith` check without the dot is the classic bypass
 * (`allowed.test.evil.com`, `evilallowed.test`). The host is normalized here too, so a caller
 * passing a raw name cannot match with a form that was never checked.
 */
export function hostAllowed(host: string, allow: string[]): boolean {
  const n = normalizeHost(host);
  if ("error" in n) return false;
  const { exact, suffixes } = expandAllow(allow);
  if (exact.has(n.host)) return true;
  return suffixes.some((s) => n.host.length > s.length + 1 && n.host.endsWith(`.${s}`));
}
