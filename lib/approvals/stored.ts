// Permission settings as they are stored (JSON columns on teams and repositories): read back
// through the same schemas the API writes them with. What no longer parses counts as none, with a
// warning in the server log, so a bad row can never wedge a session.
import { Prisma } from "../db/generated/client";
import { HooksSchema, PermissionMode, RulesSchema, type Hooks, type Rules } from "../protocol/permissions";

const warned = new Set<string>();
function warnOnce(what: string, kind: string, why: string): void {
  const key = `${kind} ${what}`;
  if (warned.has(key)) return;
  if (warned.size > 1000) warned.clear();
  warned.add(key);
  console.warn(`[permissions] ignoring the stored ${kind} of ${what}: they no longer parse (${why})`);
}

/** Stored rules, or null when none (or when they no longer parse). */
export function storedRules(json: unknown, what: string): Rules | null {
  if (json === null || json === undefined) return null;
  const parsed = RulesSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  warnOnce(what, "rules", parsed.error.issues[0]?.message ?? "invalid");
  return null;
}

/** Stored hooks, or null when none (or when they no longer parse). */
export function storedHooks(json: unknown, what: string): Hooks | null {
  if (json === null || json === undefined) return null;
  const parsed = HooksSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  warnOnce(what, "hooks", parsed.error.issues[0]?.message ?? "invalid");
  return null;
}

/** A stored mode, or null when none or not a mode. */
export function storedMode(value: string | null | undefined): PermissionMode | null {
  const parsed = PermissionMode.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** What a patch writes into a JSON column: undefined leaves it, null (or an empty rule set) clears it. */
export function rulesData(rules: Rules | null | undefined): Prisma.InputJsonValue | typeof Prisma.DbNull | undefined {
  if (rules === undefined) return undefined;
  if (rules === null || !(rules.allow.length || rules.ask.length || rules.deny.length)) return Prisma.DbNull;
  return { allow: dedupe(rules.allow), ask: dedupe(rules.ask), deny: dedupe(rules.deny) };
}

export function hooksData(hooks: Hooks | null | undefined): Prisma.InputJsonValue | typeof Prisma.DbNull | undefined {
  if (hooks === undefined) return undefined;
  if (hooks === null) return Prisma.DbNull;
  return hooks as unknown as Prisma.InputJsonValue;
}

const dedupe = (xs: string[]) => [...new Set(xs)];

