// The egress decision for one request: from the host and port as sent to the addresses to connect
// to, or the reason it is refused. Order: the name's form, the phase's mode, the allowlist, then
// resolution (a pin, or DNS with every address checked). The addresses returned are what the proxy
// connects to; the name is never resolved again (DNS rebinding: a second answer could be private).
import net from "node:net";
import { EgressMode } from "../protocol/environments";
import { forbiddenAddress } from "./address";
import type { Pins } from "./pins";
import { hostAllowed, normalizeHost } from "./policy";

export type EgressPhase = "setup" | "agent";
export interface EgressRule {
  phase: EgressPhase;
  mode: EgressMode;
  /** Raw entries: domains, `*.suffix`, preset names. */
  allow: string[];
}
export interface Addr {
  address: string;
  family: 4 | 6;
}
export type Lookup = (host: string) => Promise<Addr[]>;

export type Decision =
  | { ok: true; host: string; port: number; addresses: Addr[]; pinned: boolean }
  /** `blocked`: a policy refusal a person should see; otherwise a failure (502). */
  | { ok: false; host: string; port: number; status: 403 | 502; reason: string; blocked: boolean };

/** A host as sent, safe to show in a log line (control bytes escaped, bounded). */
export function displayHost(raw: string): string {
  const escaped = raw.slice(0, 260).replace(/[^\x21-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
  return raw.length > 260 ? `${escaped}…` : escaped;
}

export interface DecideContext {
  rule: EgressRule;
  pins: Pins;
  lookup: Lookup;
  lookupMs: number;
}

export async function decide(rawHost: string, port: number, c: DecideContext): Promise<Decision> {
  const n = normalizeHost(rawHost);
  if ("error" in n) return { ok: false, host: displayHost(rawHost), port, status: 403, reason: n.error, blocked: true };
  const host = n.host;
  const refuse = (reason: string) => ({ ok: false as const, host, port, status: 403 as const, reason, blocked: true });
  const { phase, allow } = c.rule;
  // The rule comes from Dockside's own code, but a mode this file does not know must not mean "open".
  const mode = EgressMode.safeParse(c.rule.mode);
  if (!mode.success) return refuse(`the egress policy for the ${phase} is invalid`);
  if (mode.data === "none") return refuse(`egress is off for the ${phase} (policy none)`);
  if (mode.data === "allowlist" && !hostAllowed(host, allow)) return refuse("not on the allowlist");

  const pin = c.pins.get(host);
  if (pin) {
    // The operator's choice: the only way to a loopback or private address. Its port replaces the
    // requested one (a pin names one service).
    const family = net.isIP(pin.host) === 6 ? 6 : 4;
    return { ok: true, host, port: pin.port, addresses: [{ address: pin.host, family }], pinned: true };
  }

  let found: Addr[];
  try {
    found = await withTimeout(c.lookup(host), c.lookupMs);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === "ENOTFOUND" || code === "ENODATA" ? "no such host" : code === "ETIMEOUT" ? "DNS timed out" : `DNS failed (${code ?? (err as Error).message})`;
    return { ok: false, host, port, status: 502, reason: `cannot resolve ${host}: ${why}`, blocked: false };
  }
  if (!Array.isArray(found) || found.length === 0) return { ok: false, host, port, status: 502, reason: `cannot resolve ${host}: no addresses`, blocked: false };
  const addresses: Addr[] = [];
  // Every address, not only the first: a name answering [public, private] would otherwise reach
  // the private one when the public one refuses the connection.
  for (const a of found) {
    const address = String(a?.address ?? "");
    const why = forbiddenAddress(address);
    if (why) return refuse(`resolves to ${why} ${displayHost(address)}`);
    addresses.push({ address, family: net.isIP(address) === 6 ? 6 : 4 });
  }
  return { ok: true, host, port, addresses, pinned: false };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "ETIMEOUT" })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
