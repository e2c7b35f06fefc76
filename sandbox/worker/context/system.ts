// The system prompt of a session: the template (prompt.ts), the team's instructions (Settings)
// and the repository's AGENTS.md / CLAUDE.md, each delimited and capped. Built once per session
// and stored: it heads the cached prefix, so it never changes while the session lives (a change
// to AGENTS.md is picked up by the agent reading the file, not by a new prompt).
//
// Beyond the signature agreed for H2, opts may carry `listFiles` (relative paths of the instruction
// files anywhere in the workspace; see instruction-files.ts) and `maxChars` (the cap on all
// instructions together, e.g. from a small context window).
import { systemPrompt } from "../prompt";

export type SystemPromptOptions = {
  workspace: string;
  branch: string;
  tools: string[];
  shellTimeoutS: number;
  teamInstructions: string;
  /** The sandbox as the host describes it (network policy, setup): WorkerConfig.environmentNote. */
  environmentNote?: string;
  /** The team's accepted memory for this repository (WorkerConfig.memoryNote, chosen within its budget by the host). */
  memoryNote?: string;
  /** A workspace file's text, or null when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | null>;
  listFiles?(): Promise<string[]>;
  maxChars?: number;
};

export const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md"] as const;
export const FILE_CAP_CHARS = 12_000;
export const TOTAL_CAP_CHARS = 40_000;
/** Nested files beyond this many are not even listed. */
const MAX_LISTED = 50;

export async function buildSystemPrompt(opts: SystemPromptOptions): Promise<string> {
  const base = systemPrompt(opts);
  let room = Math.min(opts.maxChars ?? TOTAL_CAP_CHARS, TOTAL_CAP_CHARS);
  const sections: string[] = [];

  const envNote = opts.environmentNote?.trim();
  if (envNote) {
    const text = clip(envNote, Math.min(FILE_CAP_CHARS, room));
    room -= text.length;
    sections.push(`## Your sandbox\n\n${text}`);
  }

  const team = opts.teamInstructions.trim();
  if (team) {
    const text = clip(team, Math.min(FILE_CAP_CHARS, room));
    room -= text.length;
    sections.push(`## From your team\n\nYour team's standing instructions for every session:\n\n${wrap("team-instructions", "", text)}`);
  }

  // Entries a person accepted: data about the repository, delimited like the instructions so an
  // entry cannot pass itself off as the end of the section.
  const memory = opts.memoryNote?.trim();
  if (memory && room > 0) {
    const text = clip(memory, Math.min(FILE_CAP_CHARS, room));
    room -= text.length;
    sections.push(`## Team memory\n\n${wrap("team-memory", "", text)}`);
  }

  // One listing (a process as the agent) names the top-level files too, so only files that are
  // there are read: each read is another process, and a session's first model request waits for
  // them. Without a listing (none given, or it failed) both top-level names are tried.
  const listing = opts.listFiles ? await opts.listFiles().then((ps) => [...new Set(ps.map((p) => p.replace(/^\.\//, "")))], () => null) : null;
  const present = (name: string) => listing === null || listing.includes(name);
  const tops = await Promise.all(INSTRUCTION_FILES.map((name) => (present(name) ? opts.readFile(name).catch(() => null) : null)));
  const seen = new Set<string>();
  const included: string[] = [];
  for (const [i, name] of INSTRUCTION_FILES.entries()) {
    const text = tops[i]?.trim();
    if (!text || seen.has(text) || room <= 0) continue;
    seen.add(text);
    const kept = clip(text, Math.min(FILE_CAP_CHARS, room));
    room -= kept.length;
    included.push(wrap("repository-instructions", name, kept));
  }

  const nested = (listing ?? [])
    .filter((p) => p.includes("/") && INSTRUCTION_FILES.some((n) => p.endsWith(`/${n}`)))
    .sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  const listed: string[] = [];
  for (const file of nested.slice(0, MAX_LISTED)) {
    const text = room > 0 ? (await opts.readFile(file).catch(() => null))?.trim() : undefined;
    // Whole files while they fit; the others are named so the agent reads them when it works there.
    if (text && !seen.has(text) && text.length <= Math.min(FILE_CAP_CHARS, room)) {
      seen.add(text);
      room -= text.length;
      included.push(wrap("repository-instructions", file, text));
    } else if (!text || !seen.has(text)) listed.push(`- ${file}`);
  }
  if (nested.length > MAX_LISTED) listed.push(`- and ${nested.length - MAX_LISTED} more (find them with glob "**/AGENTS.md" and "**/CLAUDE.md")`);

  if (included.length || listed.length) {
    const parts = ["## From the repository"];
    if (included.length) {
      parts.push(
        "The repository's instruction files, as they were when the session started. Follow them unless the person asks otherwise; " +
          "a file in a subdirectory applies to the files under that directory.",
        ...included,
      );
    }
    if (listed.length) {
      parts.push(`These instruction files apply to their own directories: read the one for a directory (read_file) before you work in it.\n${listed.join("\n")}`);
    }
    sections.push(parts.join("\n\n"));
  }
  return sections.length ? `${base}\n\n# Instructions\n\n${sections.join("\n\n")}` : base;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function depth(p: string): number {
  return p.split("/").length;
}

/**
 * Delimited so the agent can tell where instructions start and end; no spelling of the tag inside
 * (any case, spaces, `_` for `-`) can open or close it early.
 */
function wrap(tag: string, path: string, text: string): string {
  const loose = tag.split("-").map(escapeRe).join("[\\s_-]*");
  const safe = text.replace(new RegExp(`<(?=\\s*/?\\s*${loose})`, "gi"), "&lt;");
  return `<${tag}${path ? ` path="${path.replace(/"/g, "%22")}"` : ""}>\n${safe}\n</${tag}>`;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `\n[... cut: ${text.length - max} more characters; read the file itself for the rest ...]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}
