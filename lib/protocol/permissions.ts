// Permissions, approvals, hooks and notifications: the shapes shared by the worker (bundled: zod
// only), the host, the API and the UI.
//
// Rules are `tool` or `tool(pattern)`: `shell(npm test*)`, `shell(git push*)`, `write_file(src/**)`,
// `edit_file(**/*.lock)`, `read_file(.env*)`. The pattern is matched against the call's main
// argument: the command for `shell`, the workspace-relative path for file tools, the pattern for
// `glob` and `grep`. For commands `*` matches anything; for paths `*` stays within a directory,
// `**` crosses directories (`**/` also matches no directory) and `?` is one character.
// Checked deny → ask → allow, first match wins (lib/permissions/decide.ts).
//
// MCP tools are named as the model sees them, `mcp__<server>__<tool>` (letters of either case,
// digits, `_`, `-`), with `*` as a wildcard within the name: `mcp__github__create_issue`,
// `mcp__github__*` (every tool of that server), `mcp__*` (every MCP tool). They take no pattern.
import { z } from "zod";
import { RULE_RE } from "../permissions/rule-grammar";
import { safeText } from "./text";

export const PERMISSION_MODES = ["auto", "ask", "plan"] as const;
export const PermissionMode = z.enum(PERMISSION_MODES);
export type PermissionMode = z.infer<typeof PermissionMode>;
/** Without settings: everything the rules allow runs. */
export const DEFAULT_MODE: PermissionMode = "auto";

export { RULE_RE } from "../permissions/rule-grammar";
/** An MCP tool's name as rules and hooks may write it (`*` only in rules). */
const MCP_TOOL_RE = /^mcp__[A-Za-z0-9_-]{1,59}$/;
export const RulePattern = safeText()
  .trim()
  .max(520)
  .superRefine((s, ctx) => {
    const m = RULE_RE.exec(s);
    if (!m) ctx.addIssue({ code: "custom", message: `"${s.slice(0, 80)}" is not a rule: write tool or tool(pattern), e.g. shell(npm test*), write_file(src/**) or mcp__github__*` });
    else if (m[1].startsWith("mcp__") && m[2] !== undefined) ctx.addIssue({ code: "custom", message: `"${s.slice(0, 80)}": MCP tools take no pattern; write the tool's name alone, e.g. ${m[1]}` });
  });
export const RulesSchema = z.strictObject({
  allow: z.array(RulePattern).max(200).default([]),
  ask: z.array(RulePattern).max(200).default([]),
  deny: z.array(RulePattern).max(200).default([]),
});
export type Rules = z.infer<typeof RulesSchema>;
export const EMPTY_RULES: Rules = { allow: [], ask: [], deny: [] };

/** Team rules and repository rules together: both apply (a team's deny cannot be undone by a repository). */
export function mergeRules(...sets: (Rules | null | undefined)[]): Rules {
  const out: Rules = { allow: [], ask: [], deny: [] };
  for (const r of sets) if (r) for (const k of ["allow", "ask", "deny"] as const) out[k].push(...r[k]);
  return out;
}

/**
 * Hooks run in the sandbox as the agent, in /workspace, with TOOL_NAME and TOOL_INPUT (JSON) in
 * their environment (post_tool also TOOL_OUTPUT, cut to 64 KB, and TOOL_IS_ERROR):
 *  - pre_tool: a non-zero exit blocks the call; its output goes to the agent as the result;
 *  - post_tool: a non-zero exit turns the result into an error carrying the hook's output;
 *  - stop: at the end of a turn; a non-zero exit sends its output back to the agent, who goes
 *    on, at most `stopMaxRuns` times per turn.
 * `tools` limits a hook to some tools (by name); absent: every tool.
 */
export const HookSchema = z.strictObject({
  command: safeText().trim().min(1).max(4096),
  tools: z.array(z.string().refine((t) => /^[a-z_][a-z0-9_]{0,63}$/.test(t) || MCP_TOOL_RE.test(t), "a tool's name, e.g. shell or mcp__github__create_issue")).max(20).optional(),
  timeoutS: z.number().int().min(1).max(3600).default(120),
});
export type Hook = z.infer<typeof HookSchema>;
export const HooksSchema = z.strictObject({
  pre_tool: z.array(HookSchema).max(20).default([]),
  post_tool: z.array(HookSchema).max(20).default([]),
  stop: z.array(HookSchema).max(20).default([]),
  stopMaxRuns: z.number().int().min(0).max(20).default(3),
});
export type Hooks = z.infer<typeof HooksSchema>;
export const EMPTY_HOOKS: Hooks = { pre_tool: [], post_tool: [], stop: [], stopMaxRuns: 3 };

/** What the worker asks the host before every tool call (GET /worker/permissions). */
export const WorkerPermissionsSchema = z.object({ mode: PermissionMode, rules: RulesSchema, hooks: HooksSchema });
export type WorkerPermissions = z.infer<typeof WorkerPermissionsSchema>;

export const APPROVAL_KINDS = ["tool", "plan"] as const;
export const APPROVAL_STATUSES = ["pending", "approved", "denied", "cancelled"] as const;

/** POST /worker/approvals: the worker asks (idempotent by callId). */
export const ApprovalRequestSchema = z.strictObject({
  callId: z.string().min(1).max(200),
  kind: z.enum(APPROVAL_KINDS),
  tool: z.string().min(1).max(64),
  input: z.unknown(),
  /** Why it needs a person: "shell commands outside the allow rules need approval (mode ask)", "matches ask rule shell(git push*)". */
  reason: z.string().max(2000),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/** GET /worker/approvals/:id?wait=S: the decision, once there is one. */
export const WorkerApprovalStateSchema = z.object({
  id: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  /** The person's message to the agent (deny: why; approve: anything they add). */
  message: z.string().optional(),
  /** A plan approval switches the session to this mode. */
  mode: PermissionMode.optional(),
});
export type WorkerApprovalState = z.infer<typeof WorkerApprovalStateSchema>;

/** POST /api/approvals/:id. */
export const ApprovalDecisionSchema = z.strictObject({
  decision: z.enum(["approve", "deny"]),
  message: safeText().max(4000).optional(),
  /** Approve and add an allow rule for this call to the repository (tool approvals only). */
  remember: z.boolean().optional(),
  /** Plan approvals: the mode the session continues in (default ask). */
  mode: z.enum(["ask", "auto"]).optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

export const ApprovalDtoSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  kind: z.enum(APPROVAL_KINDS),
  tool: z.string(),
  input: z.unknown(),
  reason: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  message: z.string().nullable(),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  /** The allow rule "approve and remember" would add. */
  suggestedRule: z.string().nullable(),
});
export type ApprovalDto = z.infer<typeof ApprovalDtoSchema>;

// ---- Notifications and webhooks

export const NOTIFICATION_EVENTS = [
  "session.needs_approval",
  "session.idle",
  "session.failed",
  "session.budget",
  "review.requested",
  "review.comment_addressed",
  /** Proactive alerts (lib/alerts): stuck, looping, budget at 80 %, sandbox near its memory or disk limit. */
  "session.alert",
  /** A check routine's verdict was `attention`. */
  "routine.attention",
  /** An agent proposed a memory entry for a person to review. */
  "memory.proposed",
] as const;
export const NotificationEvent = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

export const NotificationDtoSchema = z.object({
  id: z.string(),
  event: NotificationEvent,
  sessionId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationDto = z.infer<typeof NotificationDtoSchema>;
export const NotificationListSchema = z.object({ notifications: z.array(NotificationDtoSchema), unread: z.number().int().nonnegative() });

/** Per person: which events, for which sessions (mine: started by me; watched: mine and ones I opened; team: all). */
export const NotificationPrefsSchema = z.strictObject({
  events: z.array(NotificationEvent).max(NOTIFICATION_EVENTS.length),
  scope: z.enum(["mine", "watched", "team"]),
  /** Show browser notifications (the browser's own permission is asked on a click). */
  browser: z.boolean(),
});
export type NotificationPrefs = z.infer<typeof NotificationPrefsSchema>;
export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = { events: [...NOTIFICATION_EVENTS], scope: "watched", browser: true };

export const WebhookCreateSchema = z.strictObject({
  url: safeText().trim().url().max(2000),
  events: z.array(z.union([NotificationEvent, z.literal("*")])).min(1).max(20),
  /** The HMAC secret; generated (and shown once) when absent. */
  secret: z.string().min(16).max(200).optional(),
});
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;
export const WebhookDtoSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.string(),
  /** The last few deliveries, newest first. */
  deliveries: z.array(
    z.object({ id: z.string(), event: z.string(), status: z.enum(["pending", "delivered", "failed"]), attempts: z.number().int(), lastStatus: z.number().int().nullable(), lastError: z.string().nullable(), createdAt: z.string(), nextAttemptAt: z.string().nullable() }),
  ),
});
export type WebhookDto = z.infer<typeof WebhookDtoSchema>;
