// Where a proxy request wants to go, read from its request-target and nothing else. The raw text is
// split by hand rather than with `new URL()`: the URL parser repairs hosts (`0x7f.1` becomes
// `127.0.0.1`, `%2e` is decoded, a backslash is a slash), and a repaired host is one the policy
// never saw as sent. The pieces go to normalizeHost, which refuses what needs repair.
import { normalizeHost } from "./policy";

export interface Target {
  /** The host as sent (normalizeHost decides whether it is a name). */
  rawHost: string;
  port: number;
}
export type Parsed<T> = T | { error: string };

/** `host:port`, `[v6]:port`, or `host` when a default port applies. */
export function splitHostPort(authority: string, defaultPort?: number): Parsed<Target> {
  let host = authority;
  let port: string | undefined;
  if (authority.startsWith("[")) {
    // Kept with its brackets so that normalizeHost refuses it as an IPv6 literal, with that reason.
    const end = authority.indexOf("]");
    if (end < 0) return { error: "the target has an unclosed '['" };
    host = authority.slice(0, end + 1);
    const rest = authority.slice(end + 1);
    if (rest) {
      if (!rest.startsWith(":")) return { error: "the target has text after ']'" };
      port = rest.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon >= 0 && authority.indexOf(":") === colon) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
    }
    // Two or more colons: an unbracketed IPv6 literal; normalizeHost refuses it.
  }
  if (port === undefined) {
    if (defaultPort === undefined) return { error: "the target has no port (CONNECT host:port)" };
    return { rawHost: host, port: defaultPort };
  }
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return { error: "the port must be a number from 1 to 65535" };
  return { rawHost: host, port: Number(port) };
}

/** The target of `CONNECT host:port`. */
export function parseConnect(url: string): Parsed<Target> {
  return splitHostPort(url);
}

/** The target of an absolute-form request (`GET http://host[:port]/path`), and the path to send. */
export function parseAbsolute(url: string): Parsed<Target & { path: string }> {
  if (url.startsWith("/") || url === "*") return { error: "this is a proxy: send absolute-form requests (GET http://host/path) or CONNECT host:port" };
  if (/^https:\/\//i.test(url)) return { error: "use CONNECT host:443 for https (the proxy does not speak TLS for you)" };
  const m = /^http:\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!m) return { error: "only http:// URLs are proxied as requests (use CONNECT for anything else)" };
  const target = splitHostPort(m[1], 80);
  if ("error" in target) return target;
  let path = m[2].split("#")[0];
  if (!path.startsWith("/")) path = `/${path}`;
  return { ...target, path };
}

/**
 * Why the Host header(s) disagree with the target, or null. A proxy that checks one and connects
 * to the other can be sent to any host: the decision and the connection both use the target, and
 * the upstream gets a Host header the proxy writes. A header that names the same host (port
 * optional) is accepted, since every client sends one.
 */
export function hostHeaderMismatch(values: string[], target: Target): string | null {
  if (values.length === 0) return null;
  if (values.length > 1) return "the request has more than one Host header";
  const header = splitHostPort(values[0].trim(), target.port);
  const want = normalizeHost(target.rawHost);
  if ("error" in want) return null; // refused for its own reason by the caller
  if ("error" in header) return "the Host header is not host[:port]";
  const got = normalizeHost(header.rawHost);
  if ("error" in got || got.host !== want.host || header.port !== target.port) return "the Host header names another host than the request target";
  return null;
}
