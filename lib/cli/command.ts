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

type RawFlags = Record<string, string | boolean | undefined>;

export interface CliCommand {
  summary: string;
  /** The flag synopsis shown in help, e.g. `--email E [--name N]`. */
  usage: string;
  flagNames: string[];
  /** Flags that take no value (`--force`). */
  switches: string[];
  /** The one positional argument's flag name (`backup FILE`), if the command takes one. */
  positional?: string;
  /** False: the command opens (or makes) its database itself, e.g. restore. */
  database: boolean;
  /** Validates the flags (throwing UsageError) and returns the work to do once the database is open. */
  prepare(raw: RawFlags): () => Promise<unknown>;
}

export function defineCommand<S extends z.ZodObject>(c: {
  summary: string;
  usage: string;
  flags: S;
  switches?: string[];
  positional?: string;
  database?: boolean;
  run: (flags: z.infer<S>) => Promise<unknown>;
}): CliCommand {
  return {
    summary: c.summary,
    usage: c.usage,
    flagNames: Object.keys(c.flags.shape).filter((f) => f !== c.positional),
    switches: c.switches ?? [],
    positional: c.positional,
    database: c.database ?? true,
    prepare(raw) {
      const parsed = c.flags.safeParse(raw);
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error, raw, c.positional));
      const flags = parsed.data;
      return () => c.run(flags);
    },
  };
}

function describeIssues(error: z.ZodError, raw: RawFlags, positional?: string): string {
  return error.issues
    .map((i) => {
      const flag = String(i.path[0] ?? "");
      if (!flag) return i.message;
      if (flag === positional) return raw[flag] === undefined ? `the ${flag.toUpperCase()} argument is required` : `${flag.toUpperCase()}: ${i.message}`;
      return raw[flag] === undefined ? `--${flag} is required` : `--${flag}: ${i.message}`;
    })
    .join("; ");
}

/** `<group> <command>` commands, and single-word ones (`backup FILE`). */
export type Groups = Record<string, Record<string, CliCommand> | CliCommand>;

const isCommand = (g: Record<string, CliCommand> | CliCommand): g is CliCommand => typeof (g as CliCommand).prepare === "function";

export type Invocation = { help: true } | { help: false; command: CliCommand; flags: RawFlags };

/** Splits `<group> <command> --flag value ...` and finds the command. */
export function parseCommandLine(argv: string[], groups: Groups): Invocation {
  if (!argv.length || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") return { help: true };
  const [group, second] = argv;
  const entry = Object.hasOwn(groups, group) ? groups[group] : undefined;
  if (!entry) throw new UsageError(`unknown command "${group}"; commands: ${Object.keys(groups).join(", ")}`);
  const single = isCommand(entry);
  const name = single ? "" : second;
  const command = single ? entry : name && Object.hasOwn(entry, name) ? entry[name] : undefined;
  if (!command) {
    const known = Object.keys(entry).map((c) => `"${group} ${c}"`).join(", ");
    throw new UsageError(name && !name.startsWith("-") ? `unknown command "${group} ${name}"; try ${known}` : `"${group}" needs a command: ${known}`);
  }
  const label = single ? group : `${group} ${name}`;
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(single ? 1 : 2),
      options: Object.fromEntries(command.flagNames.map((f) => [f, { type: command.switches.includes(f) ? ("boolean" as const) : ("string" as const) }])),
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    const e = err as Error & { code?: string };
    const unknown = e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec(e.message)?.[1] : undefined;
    throw new UsageError(unknown ? `${label}: unknown flag ${unknown}; it takes ${command.usage}` : `${label}: ${e.message}`);
  }
  if (command.positional && positionals.length) values[command.positional] = positionals.shift();
  if (positionals.length) throw new UsageError(`${label}: unexpected argument "${positionals[0]}"; it takes ${command.usage}`);
  return { help: false, command, flags: values as RawFlags };
}

export function helpText(groups: Groups): { usage: string; commands: { command: string; flags: string; summary: string }[]; environment: string } {
  return {
    usage: "dockside <command> [--flag value ...]; prints one JSON object on stdout, errors as {\"error\": {...}} on stderr (exit 1, or 2 for usage errors)",
    commands: Object.entries(groups).flatMap(([group, entry]) =>
      isCommand(entry)
        ? [{ command: group, flags: entry.usage, summary: entry.summary }]
        : Object.entries(entry).map(([name, c]) => ({ command: `${group} ${name}`, flags: c.usage, summary: c.summary })),
    ),
    environment:
      "the server's configuration: DATABASE_URL, or the embedded PostgreSQL under DOCKSIDE_DATA_DIR (relative to the Dockside directory, default ./.data), found on the port the server recorded there (postgres.port) while it runs, else started for the command on DOCKSIDE_PG_PORT",
  };
}
