// Runs the model stub on its own, for the offline demo and for Playwright:
//   tsx scripts/model-stub.ts [--port 4010] [--host 127.0.0.1] [--context-tokens N] [--script file.json ...]
// Point ANTHROPIC_BASE_URL at the printed URL. A script file holds one script or a list of them.
// The context window defaults to MODELSTUB_CONTEXT_TOKENS, else 200000.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { describeIssues, ScriptFileSchema, type Script } from "../lib/modelstub/script";
import { startModelStub } from "../lib/modelstub/server";

async function loadScripts(file: string): Promise<Script[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = ScriptFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file}: ${describeIssues(parsed.error)}`);
  return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      script: { type: "string", multiple: true, default: [] },
      "context-tokens": { type: "string" },
    },
  });
  const window = values["context-tokens"];
  const contextTokens = window === undefined ? undefined : Number(window);
  if (contextTokens !== undefined && !(Number.isInteger(contextTokens) && contextTokens > 0)) {
    throw new Error(`--context-tokens: not a positive integer: ${window}`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`);

  const scripts: Script[] = [];
  for (const file of values.script) scripts.push(...(await loadScripts(file)));

  const stub = await startModelStub({ port, host: values.host, scripts, contextTokens });
  console.log(`model stub listening on ${stub.url} (context window ${stub.contextTokens} tokens)`);

  const stop = () => {
    stub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`model stub: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
