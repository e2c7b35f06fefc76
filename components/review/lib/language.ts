// Which grammar highlights a file, from its name alone (no content sniffing: cheap and
// predictable). Names must match the grammars registered in highlighter.ts.

const BY_EXT: Record<string, string> = {
  ts: "typescript", tsx: "typescript", mts: "typescript", cts: "typescript",
  js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript",
  json: "json", jsonc: "json",
  css: "css", scss: "scss", less: "less",
  html: "xml", htm: "xml", xml: "xml", svg: "xml", vue: "xml",
  py: "python", pyi: "python",
  go: "go", rs: "rust", java: "java", kt: "kotlin", kts: "kotlin", swift: "swift",
  c: "c", h: "c", cc: "cpp", cpp: "cpp", cxx: "cpp", hpp: "cpp", hh: "cpp",
  cs: "csharp", rb: "ruby", php: "php", lua: "lua", r: "r", pl: "perl",
  sh: "bash", bash: "bash", zsh: "bash",
  yml: "yaml", yaml: "yaml", toml: "ini", ini: "ini", cfg: "ini",
  md: "markdown", markdown: "markdown", mdx: "markdown",
  sql: "sql", graphql: "graphql", gql: "graphql",
  diff: "diff", patch: "diff",
};

const BY_NAME: Record<string, string> = { dockerfile: "dockerfile", makefile: "makefile", gnumakefile: "makefile", gemfile: "ruby", rakefile: "ruby" };

/** The grammar for a path, or null for plain text. */
export function languageFor(path: string): string | null {
  const name = (path.split("/").pop() ?? "").toLowerCase();
  if (BY_NAME[name]) return BY_NAME[name];
  if (name.startsWith("dockerfile.") || name.endsWith(".dockerfile")) return "dockerfile";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return BY_EXT[name.slice(dot + 1)] ?? null;
}
