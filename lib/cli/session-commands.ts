// `dockside session <command>`: sessions through the server's HTTP API, for people (words by
// default) and scripts (`--json`). Each command declares its flags with zod; session-cli.ts parses
// the command line and prints.
import { z } from "zod";
import { SessionStatus } from "../events/schema";
import { SessionPageSchema } from "../history/dto";
import { SessionDtoSchema, type SessionDto } from "../protocol/api";
import { MergeInputSchema } from "../protocol/review";
import { visibleText } from "../text/visible";
import { callApi, sessionPage, sessionPath, type Server } from "./session-http";
import { formatSessionList } from "./session-list";
import { mergeAndFollow } from "./session-merge";
import { watchSession } from "./session-watch";

export interface Io {
  server: () => Server;
  json: boolean;
  raw: boolean;
  /** The command's result on stdout. */
  out: (s: string) => void;
  /** Words about what happened, on stderr (stdout stays the transcript, the diff, the JSON). */
  note: (s: string) => void;
}

export interface SessionCommand {
  usage: string;
  summary: string;
  /** Names of the positional arguments, in order (their values land in the flags under these names). */
  positionals: string[];
  /** Flags that take no value, beside the common --json, --raw and --help. */
  switches: string[];
  flags: z.ZodObject;
  run(flags: Record<string, unknown>, io: Io): Promise<number>;
}

function command<S extends z.ZodObject>(c: { usage: string; summary: string; positionals?: string[]; switches?: string[]; flags: S; run: (f: z.infer<S>, io: Io) => Promise<number> }): SessionCommand {
  return { positionals: [], switches: [], ...c, run: (f, io) => c.run(f as z.infer<S>, io) };
}

const Id = z.string().trim().min(1, "a session id is required").max(64);
const Ok = z.object({ ok: z.literal(true) });
const MergeStrategy = MergeInputSchema.shape.strategy;

const printJson = (io: Io, value: unknown) => io.out(JSON.stringify(value, null, 2) + "\n");

async function afterStart(s: SessionDto, watch: boolean, io: Io): Promise<number> {
  if (io.json && !watch) return printJson(io, s), 0;
  if (!io.json) io.note(`started session ${s.id} on ${s.repo} (${s.baseBranch} → ${s.branch}): ${sessionPage(io.server(), s.id)}`);
  if (!watch) return io.out(`${s.id}\n`), 0;
  return watchSession(io.server(), s.id, io);
}

export const sessionCommands: Record<string, SessionCommand> = {
  start: command({
    usage: "start --repo R --prompt P [--base B] [--watch]",
    summary: "start a session on a registered repository (R: its https URL or local path); --watch streams it until the agent is done",
    switches: ["watch"],
    flags: z.object({ repo: z.string().min(1), prompt: z.string().min(1), base: z.string().min(1).optional(), watch: z.boolean().default(false) }),
    run: async (f, io) => {
      const s = await callApi(io.server(), "POST", "/api/sessions", { body: { repo: f.repo, prompt: f.prompt, baseBranch: f.base }, schema: SessionDtoSchema });
      return afterStart(s, f.watch, io);
    },
  }),
  list: command({
    usage: "list [--status S] [--limit N]",
    summary: `the team's sessions, newest first (S: ${SessionStatus.options.join(", ")})`,
    flags: z.object({ status: SessionStatus.optional(), limit: z.coerce.number().int().min(1).max(200).default(30) }),
    run: async (f, io) => {
      const q = new URLSearchParams({ limit: String(f.limit), ...(f.status ? { status: f.status } : {}) });
      const page = await callApi(io.server(), "GET", `/api/sessions?${q}`, { schema: SessionPageSchema });
      if (io.json) return printJson(io, page), 0;
      io.out(formatSessionList(page.sessions, new Date(), io.raw));
      return 0;
    },
  }),
  watch: command({
    usage: "watch ID",
    summary: "stream a session's transcript until the agent is done (exit 0 idle, 1 failed or needs attention, 3 stopped)",
    positionals: ["id"],
    flags: z.object({ id: Id }),
    run: (f, io) => watchSession(io.server(), f.id, io),
  }),
  send: command({
    usage: "send ID TEXT [--watch]",
    summary: "send the agent a follow-up (it starts a stopped session again); --watch streams its answer",
    positionals: ["id", "text"],
    switches: ["watch"],
    flags: z.object({ id: Id, text: z.string().trim().min(1, "the TEXT argument is empty"), watch: z.boolean().default(false) }),
    run: async (f, io) => {
      // With --watch, only what follows the message: the log's end before sending it.
      const before = f.watch ? (await callApi(io.server(), "GET", sessionPath(f.id), { schema: SessionDtoSchema })).lastSeq : 0;
      const answer = await callApi(io.server(), "POST", sessionPath(f.id, "/messages"), { body: { text: f.text }, schema: Ok });
      if (f.watch) return watchSession(io.server(), f.id, io, before);
      if (io.json) printJson(io, answer);
      else io.note(`sent to session ${f.id}; the agent reads it at its next step`);
      return 0;
    },
  }),
  stop: command({
    usage: "stop ID",
    summary: "stop the agent (the workspace stays; a follow-up resumes it)",
    positionals: ["id"],
    flags: z.object({ id: Id }),
    run: async (f, io) => {
      const answer = await callApi(io.server(), "POST", sessionPath(f.id, "/stop"), { schema: Ok });
      if (io.json) printJson(io, answer);
      else io.note(`asked session ${f.id} to stop; \`dockside session watch ${f.id}\` shows when it has`);
      return 0;
    },
  }),
  diff: command({
    usage: "diff ID",
    summary: "the session branch's changes against its base, as a git diff (--json: files and hunks)",
    positionals: ["id"],
    flags: z.object({ id: Id }),
    run: async (f, io) => {
      if (io.json) return printJson(io, await callApi(io.server(), "GET", sessionPath(f.id, "/diff?format=json"), { schema: z.unknown() })), 0;
      const diff = await callApi(io.server(), "GET", sessionPath(f.id, "/diff"), { text: true });
      // The agent wrote these files: no escape sequence of theirs reaches the terminal.
      io.out(io.raw ? diff : visibleText(diff));
      return 0;
    },
  }),
  merge: command({
    usage: `merge ID [--strategy ${MergeStrategy.options.join("|")}] [--override "reason"]`,
    summary: "merge the session branch into its base, printing its progress; exits 0 merged, 1 failed; --override merges past unresolved threads or requested changes, with the reason kept in the audit log",
    positionals: ["id"],
    flags: z.object({ id: Id, strategy: MergeStrategy.default("merge"), override: z.string().trim().min(1, "say why you merge anyway").max(1000).optional() }),
    run: async (f, io) => {
      const body = { strategy: f.strategy, ...(f.override ? { overrideReason: f.override } : {}) };
      return mergeAndFollow(io, f.id, body);
    },
  }),
};
