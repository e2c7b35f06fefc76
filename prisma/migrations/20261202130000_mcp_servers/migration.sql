-- Issue 15: MCP servers per team and per repository (a repository's server of the same name
-- overrides the team's), and the effective servers a session got at creation (later edits never
-- change a running session's tools). Stored as JSON {NAME: {command, args, env} | {url, headers}}
-- with every env and header value sealed with the server secret (lib/mcp/stored.ts).
ALTER TABLE "teams" ADD COLUMN "mcp_servers" JSONB;
ALTER TABLE "repositories" ADD COLUMN "mcp_servers" JSONB;
ALTER TABLE "sessions" ADD COLUMN "mcp_servers" JSONB;
