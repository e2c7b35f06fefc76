// `dockside <group> <command> --flags`: one JSON object on stdout; errors as JSON on stderr with
// exit code 1 (2 for a bad command line). Run by bin/dockside.mjs.
import { isAppError } from "../errors";
import { backupCommand } from "./backup";
import { helpText, parseCommandLine, UsageError, type Groups } from "./command";
import { openDatabase } from "./database";
import { restoreCommand } from "./restore";
import { teamCommands } from "./teams";
import { tokenCommands } from "./tokens";
import { userCommands } from "./users";

const groups: Groups = { user: userCommands, team: teamCommands, token: tokenCommands, backup: backupCommand, restore: restoreCommand };

const SESSION_HELP = {
  command: "session",
  flags: "start|list|watch|send|stop|diff|merge ... (see `dockside session --help`)",
  summary: "works with sessions through a running server's HTTP API (DOCKSIDE_URL, DOCKSIDE_TOKEN) and prints words (--json for scripts)",
};

const print = (stream: NodeJS.WriteStream, value: unknown) => stream.write(JSON.stringify(value, null, stream.isTTY ? 2 : undefined) + "\n");

// stdout and stderr carry exactly one JSON object: what libraries log is kept, and shown with an error.
const logged: string[] = [];
const keep = (...args: unknown[]) => void logged.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
console.log = console.info = console.debug = console.warn = console.error = keep;

async function main(argv: string[]): Promise<void> {
  const inv = parseCommandLine(argv, groups);
  if (inv.help) {
    const help = helpText(groups);
    return void print(process.stdout, { ...help, commands: [...help.commands, SESSION_HELP] });
  }
  const run = inv.command.prepare(inv.flags);
  if (!inv.command.database) return void print(process.stdout, await run());
  const database = await openDatabase();
  let out: unknown;
  try {
    out = await run();
  } finally {
    await database.close();
  }
  print(process.stdout, out);
}

// `dockside session ...` (HTTP, words rather than one JSON object) is routed by bin/dockside.mjs
// to lib/cli/session-cli.ts before this module and its database code load.
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const usage = err instanceof UsageError;
    const code = usage ? "usage" : isAppError(err) ? err.code : "internal";
    const log = logged.map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").trim()).filter(Boolean);
    print(process.stderr, { error: { code, message: err instanceof Error ? err.message : String(err) }, ...(log.length ? { log } : {}) });
    process.exit(usage ? 2 : 1);
  },
);
