// The file-op mode of the worker bundle (`worker.mjs --fileop`), run as the agent's uid: reads
// one request on stdin, does it with the same path checks as ever, prints one answer.
import { ToolError } from "../errors";
import { editFileIn, editFileParams } from "./edit-file";
import { FileOpRequestSchema, MAX_REQUEST_BYTES, type FileOpAnswer, type FileOpRequest } from "./file-op";
import { readFileIn, readFileParams } from "./read-file";
import { writeFileIn, writeFileParams } from "./write-file";

async function perform(req: FileOpRequest): Promise<string> {
  switch (req.tool) {
    case "read_file":
      return String((await readFileIn(req.workspace, readFileParams.parse(req.args))).output);
    case "write_file":
      return String((await writeFileIn(req.workspace, writeFileParams.parse(req.args))).output);
    case "edit_file":
      return String((await editFileIn(req.workspace, editFileParams.parse(req.args))).output);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_REQUEST_BYTES) throw new Error("request too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Entry point of the helper process; resolves to its exit code. */
export async function fileOpMain(): Promise<number> {
  let answer: FileOpAnswer;
  try {
    const req = FileOpRequestSchema.parse(JSON.parse(await readStdin()));
    answer = { ok: true, output: await perform(req) };
  } catch (err) {
    const toolError = err instanceof ToolError;
    answer = { ok: false, error: (err instanceof Error ? err.message : String(err)).slice(0, 10_000), toolError };
  }
  await new Promise<void>((resolve) => process.stdout.write(JSON.stringify(answer), () => resolve()));
  return 0;
}
