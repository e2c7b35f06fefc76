// The grammar of a permission rule: a tool's name (a built-in one, or an MCP tool with `*`
// wildcards) and an optional `(pattern)`. One definition for the settings' validation
// (lib/protocol/permissions.ts) and the decision (decide.ts, bundled into the worker without zod).
export const RULE_RE = /^([a-z_][a-z0-9_]{0,63}|mcp__[A-Za-z0-9_*-]{1,59})(?:\((.{1,500})\))?$/s;
