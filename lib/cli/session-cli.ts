// `dockside session ...`: parses the command line, runs the command against the server and says
// what went wrong in words (or as {"error": ...} JSON with --json). Exit codes: 0 done, 1 refused
// or failed, 2 a mistake in the command line, 3 a watched session was stopped.
import { parseArgs } from "node:util";
import { visibleText } from "../text/visible";
import { sessionCommands, type Io, type SessionCommand } from "./session-commands";
import { serverFromEnv, SessionCliError, type Server } from "./session-http";

const COMMON = ["json", "raw", "help"];

export function sessionHelp(): string {
  return [
    "usage: dockside session <command> [flags]",
    "",
    ...Object.values(sessionCommands).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    "",
    "every command: --json prints JSON for scripts (watch: one event a line); --raw prints what the",
    "sandbox wrote as it is (by default escape sequences and control characters are shown as symbols)",
    "",
    "environment: DOCKSIDE_URL (the server's address) and DOCKSIDE_TOKEN (an API token from Settings)",
    "",
  ].join("\n");
}

interface Parsed {
  command: SessionCommand;
  flags: Record<string, unknown>;
  json: boolean;
  raw: boolean;
}

function parse(argv: string[]): Parsed | "help" {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") return "help";
  const command = Object.hasOwn(sessionCommands, name) ? sessionCommands[name] : undefined;
  if (!command) throw usage(`unknown command "session ${name}"; commands: ${Object.keys(sessionCommands).join(", ")}`);
  const names = Object.keys(command.flags.shape).filter((f) => !command.positionals.includes(f));
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: Object.fromEntries([...names, ...COMMON].map((f) => [f, { type: command.switches.includes(f) || COMMON.includes(f) ? ("boolean" as const) : ("string" as const) }])),
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    throw usage(`session ${name}: ${(err as Error).message.split("\n")[0]}; it takes ${command.usage}`);
  }
  if (values.help) return "help";
  if (positionals.length > command.positionals.length) throw usage(`session ${name}: unexpected argument "${positionals[command.positionals.length]}"; it takes ${command.usage}`);
  command.positionals.forEach((p, i) => (values[p] = positionals[i]));
  const { json = false, raw = false, help: _, ...own } = values;
  const flags = command.flags.safeParse(own);
  if (!flags.success) {
    const issues = flags.error.issues.map((i) => {
      const f = String(i.path[0] ?? "");
      const label = command.positionals.includes(f) ? f.toUpperCase() : `--${f}`;
      return own[f] === undefined ? `${label} is required` : `${label}: ${i.message}`;
    });
    throw usage(`session ${name}: ${issues.join("; ")}; it takes ${command.usage}`);
  }
  return { command, flags: flags.data, json: json === true, raw: raw === true };
}

const usage = (message: string) => new SessionCliError(`${message} (run \`dockside session --help\`)`, "usage", 2);

/** Runs `dockside session ...` and answers the exit code. */
export async function runSessionCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let json = argv.includes("--json");
  try {
    const parsed = parse(argv);
    if (parsed === "help") return process.stdout.write(sessionHelp()), 0;
    json = parsed.json;
    let server: Server | undefined;
    const clean = (s: string) => (parsed.raw ? s : visibleText(s));
    const io: Io = {
      server: () => (server ??= serverFromEnv(env)),
      json: parsed.json,
      raw: parsed.raw,
      out: (s) => void process.stdout.write(s),
      note: (s) => void process.stderr.write(clean(s) + "\n"),
    };
    io.server(); // a missing variable is said before anything else
    return await parsed.command.run(parsed.flags, io);
  } catch (err) {
    const e = err instanceof SessionCliError ? err : new SessionCliError(err instanceof Error ? err.message : String(err), "internal");
    const message = visibleText(e.message);
    process.stderr.write(json ? JSON.stringify({ error: { code: e.code, message } }) + "\n" : `dockside: ${message}\n`);
    return e.exitCode;
  }
}
