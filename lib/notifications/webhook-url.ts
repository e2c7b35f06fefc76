// Where a webhook may point. Checked when it is created and again at every delivery (DNS can
// change between the two): http or https, no userinfo, and every address the name resolves to
// must be public (lib/egress/address.ts) unless DOCKSIDE_WEBHOOK_ALLOW_PRIVATE=1. The delivery
// then connects to the address checked here (pinnedLookup): the name is never resolved twice,
// so a rebinding DNS answer cannot slip a private address in after the check.
import type { LookupFunction } from "node:net";
import net from "node:net";
import { env } from "../config/env";
import { forbiddenAddress } from "../egress/address";
import type { Addr, Lookup } from "../egress/decide";
import { systemLookup } from "../egress/lookup";
import { AppError } from "../errors";

export interface UrlCheckOptions {
  /** Let webhooks reach loopback, private and link-local addresses (default: DOCKSIDE_WEBHOOK_ALLOW_PRIVATE=1). */
  allowPrivate?: boolean;
  lookup?: Lookup;
}

export interface CheckedUrl {
  url: URL;
  /** The address to connect to (the first one resolved; all of them were checked). */
  address: Addr;
}

export const allowPrivateDefault = (): boolean => env().DOCKSIDE_WEBHOOK_ALLOW_PRIVATE === "1";

const refused = (why: string) => new AppError("invalid", `webhook URLs may not point at loopback, private or link-local addresses (${why}); DOCKSIDE_WEBHOOK_ALLOW_PRIVATE=1 allows them`);

/** Parses and checks `raw`; throws AppError("invalid") (422) with a reason a person can act on. */
export async function checkWebhookUrl(raw: string, opts: UrlCheckOptions = {}): Promise<CheckedUrl> {
  const allowPrivate = opts.allowPrivate ?? allowPrivateDefault();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError("invalid", "the webhook URL is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new AppError("invalid", "webhook URLs must be http:// or https://");
  if (url.username || url.password) throw new AppError("invalid", "webhook URLs may not carry a user name or password; sign requests with the webhook secret instead");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new AppError("invalid", "the webhook URL has no host");
  let addresses: Addr[];
  const literal = net.isIP(host);
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (opts.lookup ?? systemLookup)(host);
    } catch (err) {
      throw new AppError("invalid", `the webhook host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (!addresses.length) throw new AppError("invalid", `the webhook host ${host} does not resolve`);
  }
  if (!allowPrivate) {
    for (const a of addresses) {
      const why = forbiddenAddress(a.address);
      if (why) throw refused(`${host} is ${a.address}: ${why}`);
    }
  }
  return { url, address: addresses[0] };
}

/** A `lookup` for http.request that answers with the checked address only. */
export function pinnedLookup(address: Addr): LookupFunction {
  return ((_host: string, options: { all?: boolean } | number | undefined, cb: (...args: unknown[]) => void) => {
    const all = typeof options === "object" && options?.all;
    if (all) cb(null, [{ address: address.address, family: address.family }]);
    else cb(null, address.address, address.family);
  }) as unknown as LookupFunction;
}
