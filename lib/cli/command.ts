// The CLI's plumbing: commands declared with a zod schema for their flags, the command line
// parsed strictly (unknown flags and commands are usage errors), and the help text.
import { parseArgs } from "node:util";
import { z } from "zod";

/** A mistake in the command line itself: exit code 2 and a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message} (run \`dockside --help\`)`);
    this.name = "UsageError";
  }
}

type RawFlags = Record<string, string | undefined>;

export interface CliCommand {
  summary: string;
  /** The flag synopsis shown in help, e.g. `--email E [--name N]`. */
  usage: string;
  flagNames: string[];
  /** Validates the flags (throwing UsageError) and returns the work to do once the database is open. */
  prepare(raw: RawFlags): () => Promise<unknown>;
}

export function defineCommand<S extends z.ZodObject>(c: { summary: string; usage: string; flags: S; run: (flags: z.infer<S>) => Promise<unknown> }): CliCommand {
  return {
    summary: c.summary,
    usage: c.usage,
    flagNames: Object.keys(c.flags.shape),
    prepare(raw) {
      const parsed = c.flags.safeParse(raw);
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error, raw));
      const flags = parsed.data;
      return () => c.run(flags);
    },
  };
}

function describeIssues(error: z.ZodError, raw: RawFlags): string {
  return error.issues
    .map((i) => {
      const flag = String(i.path[0] ?? "");
      if (!flag) return i.message;
      return raw[flag] === undefined ? `--${flag} is required` : `--${flag}: ${i.message}`;
    })
    .join("; ");
}

export type Groups = Record<string, Record<string, CliCommand>>;

export type Invocation = { help: true } | { help: false; command: CliCommand; flags: RawFlags };

/** Splits `<group> <command> --flag value ...` and finds the command. */
export function parseCommandLine(argv: string[], groups: Groups): Invocation {
  if (!argv.length || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") return { help: true };
  const [group, name] = argv;
  const commands = Object.hasOwn(groups, group) ? groups[group] : undefined;
  if (!commands) throw new UsageError(`unknown command "${group}"; commands: ${Object.keys(groups).join(", ")}`);
  const command = name && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    const known = Object.keys(commands).map((c) => `"${group} ${c}"`).join(", ");
    throw new UsageError(name && !name.startsWith("-") ? `unknown command "${group} ${name}"; try ${known}` : `"${group}" needs a command: ${known}`);
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(2),
      options: Object.fromEntries(command.flagNames.map((f) => [f, { type: "string" as const }])),
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    const e = err as Error & { code?: string };
    const unknown = e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec(e.message)?.[1] : undefined;
    throw new UsageError(unknown ? `${group} ${name}: unknown flag ${unknown}; it takes ${command.usage}` : `${group} ${name}: ${e.message}`);
  }
  if (positionals.length) throw new UsageError(`${group} ${name}: unexpected argument "${positionals[0]}"; flags take the form --flag value`);
  return { help: false, command, flags: values as RawFlags };
}

export function helpText(groups: Groups): { usage: string; commands: { command: string; flags: string; summary: string }[]; environment: string } {
  return {
    usage: "dockside <command> [--flag value ...]; prints one JSON object on stdout, errors as {\"error\": {...}} on stderr (exit 1, or 2 for usage errors)",
    commands: Object.entries(groups).flatMap(([group, commands]) =>
      Object.entries(commands).map(([name, c]) => ({ command: `${group} ${name}`, flags: c.usage, summary: c.summary })),
    ),
    environment:
      "the server's configuration: DATABASE_URL, or the embedded PostgreSQL under DOCKSIDE_DATA_DIR (relative to the Dockside directory, default ./.data) on DOCKSIDE_PG_PORT, used while the server runs or started for the command",
  };
}
