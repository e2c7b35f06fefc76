import Anthropic from "@anthropic-ai/sdk";
import { startModelStub } from "/work/main/lib/modelstub/server";
const stub = await startModelStub();
const client = new Anthropic({ baseURL: stub.url, apiKey: "k", maxRetries: 0 });
for (const sys of ["x", "lorem ipsum ".repeat(500)]) {
  const t = performance.now();
  for (let i = 0; i < 5; i++) await client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 100, system: sys, messages: [{ role: "user", content: "hi" }] });
  console.log(sys.length, (performance.now() - t) / 5);
}
await stub.close();
