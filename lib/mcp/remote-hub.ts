// Remote (streamable HTTP) MCP servers, reached by the host on the agent's behalf. The url and
// headers (tokens) stay here: the worker names a server and a tool, nothing else. A connection is
// opened only where the session's egress policy for the agent allows the url's host (the egress
// proxy's own decision: allowlist, then resolution with every address checked, pins the only way
// to a private one), goes to the addresses that decision resolved, never follows a redirect, and
// is reused for the session's calls until the session ends (or sits idle).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { env } from "../config/env";
import { db } from "../db/client";
import { decide, type Lookup } from "../egress/decide";
import { systemLookup } from "../egress/lookup";
import { parsePins, type Pins } from "../egress/pins";
import { sessionEgress } from "../environments/egress-settings";
import { McpToolSchema, type McpTool, type RemoteMcpCall, type RemoteMcpResult, type RemoteMcpTools } from "../protocol/mcp";
import { flattenResult } from "./flatten";
import { pinnedFetch } from "./pinned-fetch";
import { openServer, storedIsRemote, storedServers } from "./stored";

export interface HubOptions {
  pins?: Pins;
  lookup?: Lookup;
  /** Connecting and listing tools, per server. */
  connectMs?: number;
  /** One tool call. */
  callMs?: number;
  /** Any one HTTP answer from a server. */
  maxBytes?: number;
  /** A session unused this long has its connections closed. */
  idleMs?: number;
}

const MAX_TOOLS = 200;
const MAX_TOOL_JSON = 64 * 1024;
const MAX_TEXT = 200_000;
const MAX_CALLS_AT_ONCE = 8;
const POLICY_TTL_MS = 5000;

interface Remote {
  url: URL;
  headers: Record<string, string>;
}
interface SessionMcp {
  teamId: string;
  repositoryId: string | null;
  remote: Map<string, Remote | { error: string }>;
  /** Header values: masked out of everything that goes back to the sandbox. */
  secrets: string[];
  clients: Map<string, Promise<Client>>;
  tools?: Promise<RemoteMcpTools>;
  policy?: { at: number; value: Awaited<ReturnType<typeof sessionEgress>> };
  lastUsed: number;
  inFlight: number;
}

class Refused extends Error {}

export class RemoteMcpHub {
  private sessions = new Map<string, Promise<SessionMcp>>();
  private sweeper: NodeJS.Timeout;

  constructor(private readonly o: HubOptions = {}) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** GET /worker/mcp/remote: every remote server's tools, listed once per session; a server that fails is reported, not fatal. */
  async tools(sessionId: string): Promise<RemoteMcpTools> {
    const s = await this.session(sessionId);
    s.tools ??= this.listAll(s);
    return s.tools;
  }

  /** POST /worker/mcp/call: one tool call; every failure is an error result the model reads. */
  async call(sessionId: string, c: RemoteMcpCall): Promise<RemoteMcpResult> {
    const s = await this.session(sessionId);
    if (!s.remote.has(c.server)) return { isError: true, text: `no remote MCP server named ${c.server} in this session` };
    // Only a tool the session was given (a worker cannot reach tools the listing left out).
    const listed = (await this.tools(sessionId)).servers.find((x) => x.name === c.server);
    if (!listed?.tools.some((t) => t.name === c.tool)) return { isError: true, text: `MCP server ${c.server} has no tool ${c.tool} in this session${listed?.state === "failed" ? ` (the server failed: ${listed.reason ?? "unknown"})` : ""}` };
    if (s.inFlight >= MAX_CALLS_AT_ONCE) return { isError: true, text: `too many MCP calls at once (at most ${MAX_CALLS_AT_ONCE}); try again when one has finished` };
    s.inFlight++;
    try {
      const client = await this.client(s, c.server);
      await this.recheck(s, c.server);
      const result = await client.callTool({ name: c.tool, arguments: c.arguments }, undefined, { timeout: this.o.callMs ?? 60_000 });
      return { isError: result.isError === true, text: mask(s, flattenResult(result as { content?: unknown; structuredContent?: unknown }, MAX_TEXT)) };
    } catch (err) {
      if (!(err instanceof Refused)) this.drop(s, c.server);
      return { isError: true, text: mask(s, `MCP server ${c.server}: ${(err as Error).message}`).slice(0, 2000) };
    } finally {
      s.inFlight--;
    }
  }

  /** Closes a session's connections (its end). */
  async close(sessionId: string): Promise<void> {
    const p = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    const s = await p?.catch(() => undefined);
    if (s) await Promise.all([...s.clients.keys()].map((name) => this.drop(s, name)));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private session(id: string): Promise<SessionMcp> {
    let p = this.sessions.get(id);
    if (!p) {
      p = this.load(id);
      this.sessions.set(id, p);
      p.catch(() => this.sessions.delete(id));
    }
    return p.then((s) => ((s.lastUsed = Date.now()), s));
  }

  private async load(id: string): Promise<SessionMcp> {
    const row = await db().session.findUniqueOrThrow({ where: { id }, select: { teamId: true, repositoryId: true, mcpServers: true } });
    const remote = new Map<string, Remote | { error: string }>();
    const secrets: string[] = [];
    for (const [name, stored] of Object.entries(storedServers(row.mcpServers, `session ${id}`))) {
      if (!storedIsRemote(stored)) continue;
      try {
        const open = openServer(stored);
        const headers = "url" in open ? (open.headers ?? {}) : {};
        const url = new URL(stored.url);
        // A token in the url's query (`?api_key=`) is as secret as a header's.
        secrets.push(...secretForms([...Object.values(headers), ...[...url.searchParams.values()].filter((v) => v.length >= 8)]));
        remote.set(name, { url, headers });
      } catch {
        remote.set(name, { error: "its headers cannot be opened (the server secret changed?): set them again in Settings" });
      }
    }
    // Longest first: a whole value is masked before a word of it.
    secrets.sort((a, b) => b.length - a.length);
    return { teamId: row.teamId, repositoryId: row.repositoryId, remote, secrets, clients: new Map(), lastUsed: Date.now(), inFlight: 0 };
  }

  private async listAll(s: SessionMcp): Promise<RemoteMcpTools> {
    const names = [...s.remote.keys()];
    const servers = await Promise.all(
      names.map(async (name) => {
        try {
          return { name, state: "ok" as const, tools: await this.listTools(s, await this.client(s, name), name) };
        } catch (err) {
          this.drop(s, name);
          return { name, state: "failed" as const, tools: [], reason: mask(s, (err as Error).message).slice(0, 2000) };
        }
      }),
    );
    return { servers };
  }

  private async listTools(s: SessionMcp, client: Client, server: string): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 10 && tools.length < MAX_TOOLS; page++) {
      const r = await client.listTools(cursor ? { cursor } : {}, { timeout: this.o.connectMs ?? 10_000 });
      for (const raw of r.tools) {
        const t = McpToolSchema.safeParse({ ...raw, description: raw.description?.slice(0, 8 * 1024) });
        // The model's tool names are at most 64 characters: mcp__<server>__<tool>.
        if (!t.success || seen.has(t.data.name) || 7 + server.length + t.data.name.length > 64) continue;
        if (JSON.stringify(t.data).length > MAX_TOOL_JSON || mask(s, t.data.name) !== t.data.name) continue;
        seen.add(t.data.name);
        // The list goes to the sandbox (and the model): a server reflecting its credential there is masked too.
        const description = t.data.description === undefined ? undefined : mask(s, t.data.description);
        tools.push({ name: t.data.name, description, inputSchema: maskDeep(s, t.data.inputSchema) as Record<string, unknown> });
        if (tools.length >= MAX_TOOLS) break;
      }
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  private client(s: SessionMcp, name: string): Promise<Client> {
    let p = s.clients.get(name);
    if (!p) {
      p = this.connect(s, name);
      s.clients.set(name, p);
    }
    return p;
  }

  private async connect(s: SessionMcp, name: string): Promise<Client> {
    const r = s.remote.get(name);
    if (!r) throw new Refused(`no remote MCP server named ${name}`);
    if ("error" in r) throw new Refused(r.error);
    const url = r.url;
    const urlPort = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const policy = await this.policy(s, true);
    const d = await decide(url.hostname, urlPort, { rule: { phase: "agent", mode: policy.agent, allow: policy.allow }, pins: this.pins(), lookup: this.o.lookup ?? systemLookup, lookupMs: 5000 });
    if (!d.ok) throw d.blocked ? new Refused(`refused by the egress policy: ${d.host} is ${d.reason} (allow it in the repository's egress settings)`) : new Error(d.reason);
    const connectMs = this.o.connectMs ?? 10_000;
    const fetch = pinnedFetch({ protocol: url.protocol as "http:" | "https:", host: d.host, port: d.port, urlPort, addresses: d.addresses }, this.o.maxBytes ?? 4 * 1024 * 1024, connectMs);
    const transport = new StreamableHTTPClientTransport(url, { fetch, requestInit: { headers: r.headers } });
    const client = new Client({ name: "dockside", version: "1" });
    client.onerror = () => {}; // a dropped notification stream is not this session's failure
    try {
      await client.connect(transport, { timeout: connectMs });
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
    return client;
  }

  /** A call checks the policy as it is now (a person's tightening applies within seconds). */
  private async recheck(s: SessionMcp, name: string): Promise<void> {
    const r = s.remote.get(name);
    if (!r || "error" in r) throw new Refused(`no usable remote MCP server named ${name}`);
    const policy = await this.policy(s, false);
    const urlPort = Number(r.url.port) || (r.url.protocol === "https:" ? 443 : 80);
    const d = await decide(r.url.hostname, urlPort, { rule: { phase: "agent", mode: policy.agent, allow: policy.allow }, pins: this.pins(), lookup: this.o.lookup ?? systemLookup, lookupMs: 5000 });
    if (!d.ok && d.blocked) {
      this.drop(s, name);
      throw new Refused(`refused by the egress policy: ${d.host} is ${d.reason}`);
    }
  }

  private async policy(s: SessionMcp, fresh: boolean) {
    if (fresh || !s.policy || Date.now() - s.policy.at > POLICY_TTL_MS) s.policy = { at: Date.now(), value: await sessionEgress(s.teamId, s.repositoryId) };
    return s.policy.value;
  }

  private pins(): Pins {
    return this.o.pins ?? (this.o.pins = parsePins(env().DOCKSIDE_EGRESS_PINS));
  }

  private drop(s: SessionMcp, name: string): Promise<void> {
    const p = s.clients.get(name);
    s.clients.delete(name);
    return p ? p.then((c) => c.close()).catch(() => {}) : Promise.resolve();
  }

  private sweep(): void {
    const idle = this.o.idleMs ?? 10 * 60_000;
    for (const [id, p] of this.sessions) {
      void p.then((s) => {
        if (s.inFlight === 0 && Date.now() - s.lastUsed > idle) void this.close(id);
      }, () => {});
    }
  }
}

/**
 * What to mask of the secret values: each whole value, its words of 8 characters or more (a server
 * echoing only the token of `Bearer <token>`), the user:password of `Basic <base64>`, and each of
 * these as a url or a JSON string spells it (a server echoing them inside its own JSON or url).
 */
function secretForms(values: string[]): string[] {
  const plain = new Set<string>();
  for (const v of values) {
    if (v.length >= 4) plain.add(v);
    for (const word of v.split(/\s+/)) if (word.length >= 8) plain.add(word);
    const basic = /^basic\s+(\S+)$/i.exec(v);
    if (basic) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      if (decoded.length >= 4) plain.add(decoded);
      const password = decoded.slice(decoded.indexOf(":") + 1);
      if (password.length >= 8) plain.add(password);
    }
  }
  const forms = new Set(plain);
  for (const f of plain) forms.add(encodeURIComponent(f)).add(JSON.stringify(f).slice(1, -1));
  return [...forms];
}

function mask(s: SessionMcp, text: string): string {
  let out = text;
  for (const v of s.secrets) out = out.split(v).join("***");
  return out;
}

/** `mask` over every string (keys too) of a JSON value: a tool's input schema. */
function maskDeep(s: SessionMcp, v: unknown): unknown {
  if (typeof v === "string") return mask(s, v);
  if (Array.isArray(v)) return v.map((x) => maskDeep(s, x));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [mask(s, k), maskDeep(s, x)]));
  return v;
}

let hub: RemoteMcpHub | undefined;
/** The process's hub (the channel routes use it). */
export function remoteMcpHub(): RemoteMcpHub {
  hub ??= new RemoteMcpHub();
  return hub;
}
