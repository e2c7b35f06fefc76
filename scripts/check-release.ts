// Release check: fails (exit 1, each offending file named) when the production build or the
// `npm pack` file list holds source maps, environment files, keys or credentials, or when a
// running server would hand out a source map. Run after `next build`:
//   node_modules/.bin/tsx scripts/check-release.ts [--root DIR] [--url http://host:port]
import path from "node:path";
import { parseArgs } from "node:util";
import { checkBuild, checkPack, checkServerMaps, type Finding } from "../lib/release/check";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      root: { type: "string", default: "." },
      url: { type: "string" },
      "no-build": { type: "boolean", default: false },
      "no-pack": { type: "boolean", default: false },
    },
  });
  const root = path.resolve(values.root!);
  const findings: Finding[] = [];
  if (!values["no-build"]) findings.push(...(await checkBuild(root)));
  if (!values["no-pack"]) findings.push(...(await checkPack(root)));
  if (values.url) findings.push(...(await checkServerMaps(root, values.url)));

  if (findings.length === 0) {
    console.log("[release] clean: no source maps, environment files, keys or credentials in the build or the package");
    return 0;
  }
  console.error(`[release] ${findings.length} problem${findings.length === 1 ? "" : "s"} in what would ship:`);
  for (const f of findings) console.error(`  ${f.file}: ${f.problem}`);
  console.error("[release] remove these from the build or the package (.gitignore / package.json \"files\"), then run the check again");
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[release] the check could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
