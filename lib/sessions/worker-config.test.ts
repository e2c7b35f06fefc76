// The worker's configuration is a cache of the session row: a miss rebuilds it (the worker
// retries) instead of answering 503 for ever.
import { expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { connectDb } from "../db/client";
import { ensureDefaultTeam, DEFAULT_TEAM_ID } from "./team";
import { insertSession } from "./create-session";
import { WorkerConfigs } from "./worker-config";

it("rebuilds a missing configuration from the session row", async () => {
  connectDb(process.env.DATABASE_URL!);
  await ensureDefaultTeam();
  const { id } = await insertSession(DEFAULT_TEAM_ID, { repo: makeRepo(), prompt: "config" } as never);
  const configs = new WorkerConfigs();
  expect(() => configs.get(id)).toThrow(/being loaded; retry/);
  await configs.reload(id);
  expect(configs.get(id)).toMatchObject({ sessionId: id, branch: `dockside/${id.slice(0, 8)}` });
});
