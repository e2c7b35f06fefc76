// How tool calls read in the transcript. Tool names come from the agent; the shape of their
// input is not part of the event contract, so this looks for the usual fields and falls back
// to compact JSON.

const SHELL_NAMES = /^(bash|shell|sh|run|exec|execute|run_command|terminal|command)$/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Shell calls stream output and open by themselves while running. */
export function isShellTool(name: string, input: unknown): boolean {
  if (SHELL_NAMES.test(name)) return true;
  return isRecord(input) && (typeof input.command === "string" || Array.isArray(input.command));
}

/** One line: the command for a shell, the path for file tools, else compact JSON. */
export function summarizeToolInput(name: string, input: unknown, max = 160): string {
  return clip(oneLine(pickSummary(name, input)), max);
}

function pickSummary(name: string, input: unknown): string {
  if (typeof input === "string") return input;
  if (!isRecord(input)) return input == null ? "" : safeJson(input);
  const cmd = input.command ?? input.cmd;
  if (typeof cmd === "string") return cmd;
  if (Array.isArray(cmd)) return cmd.map(String).join(" ");
  for (const key of ["path", "file_path", "filePath", "file", "filename", "pattern", "query", "url"]) {
    const v = input[key];
    if (typeof v === "string" && v) return v;
  }
  return SHELL_NAMES.test(name) ? "" : safeJson(input);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "";
  } catch {
    return String(v);
  }
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ⏎ ").trim();
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
