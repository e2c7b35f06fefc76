// better-auth stores browser session tokens as they are. This adapter wrapper stores only their
// SHA-256: reads, updates and deletes by token hash the token first, and rows handed back to
// better-auth carry the plain token again (so the cookie it sets stays the real one). A leaked
// database therefore holds no usable session.
import crypto from "node:crypto";

const SESSION_MODELS = new Set(["session", "authSession"]);
const sha = (t: string) => "h:" + crypto.createHash("sha256").update(t).digest("hex");

type Rec = Record<string, unknown>;
type Where = { field: string; value: unknown };

function hashValue(v: unknown, plain: Map<string, string>): unknown {
  if (typeof v === "string") {
    const h = sha(v);
    plain.set(h, v);
    return h;
  }
  return Array.isArray(v) ? v.map((x) => hashValue(x, plain)) : v;
}

function transform(arg: unknown, plain: Map<string, string>): unknown {
  if (!arg || typeof arg !== "object" || !SESSION_MODELS.has(String((arg as Rec).model))) return arg;
  const a = { ...(arg as Rec) };
  if (Array.isArray(a.where)) a.where = (a.where as Where[]).map((w) => (w.field === "token" ? { ...w, value: hashValue(w.value, plain) } : w));
  for (const key of ["data", "update"]) {
    const d = a[key] as Rec | undefined;
    if (d && typeof d.token === "string") a[key] = { ...d, token: hashValue(d.token, plain) };
  }
  return a;
}

function restore(r: unknown, plain: Map<string, string>): unknown {
  if (Array.isArray(r)) return r.map((x) => restore(x, plain));
  if (r && typeof r === "object" && typeof (r as Rec).token === "string" && plain.has((r as Rec).token as string)) {
    return { ...(r as Rec), token: plain.get((r as Rec).token as string) };
  }
  return r;
}

/** Wraps a better-auth database adapter so session tokens are hashed at rest. */
export function withHashedSessionTokens<A extends object>(adapter: A): A {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      if (prop === "transaction") {
        return (cb: (trx: object) => unknown) => (v as (cb: (trx: object) => unknown) => unknown).call(target, (trx: object) => cb(withHashedSessionTokens(trx)));
      }
      return async (arg: unknown, ...rest: unknown[]) => {
        const plain = new Map<string, string>();
        const out = await (v as (...a: unknown[]) => unknown).call(target, transform(arg, plain), ...rest);
        return restore(out, plain);
      };
    },
  });
}
