// Entry point of the sandbox worker (bundled to sandbox/dist/worker.mjs, run by the container as
// `node /opt/dockside/worker.mjs`). Wires the egress forwarder, channel, outbox, command queue,
// setup phase and agent, and maps the ways it can end to exit codes: 0 after an interrupt or
// SIGTERM, 1 when it failed for good (a failed setup script included).
// With --fileop the same bundle is the file tools' helper, run as the agent (tools/file-op.ts).
import fs from "node:fs";
import path from "node:path";
import { ev } from "../../lib/events/schema";
import {
  EGRESS_PROXY_PORT,
  EGRESS_SOCKET_IN_SANDBOX,
  INBOX_DIR_IN_SANDBOX,
  SOCKET_PATH_IN_SANDBOX,
  STATE_DIR_IN_SANDBOX,
  WORKSPACE_IN_SANDBOX,
  WorkerAckSchema,
  WorkerConfigSchema,
} from "../../lib/protocol/worker";
import { Agent } from "./agent";
import { AGENT_HOME, setEgressProxy } from "./agent-user";
import { Channel } from "./channel";
import { CommandQueue } from "./commands";
import { Interrupted } from "./errors";
import { startForwarder } from "./forwarder";
import { createClient } from "./model";
import { Outbox } from "./outbox";
import { runSetup, type SetupOutcome } from "./setup/phase";
import { StateStore, type AgentState } from "./state";
import { FILE_OP_FLAG } from "./tools/file-op";
import { fileOpMain } from "./tools/file-op-child";

/** How long to keep trying to deliver the last events before exiting. */
const FINAL_FLUSH_MS = 5000;

async function main(): Promise<number> {
  const socketPath = process.env.DOCKSIDE_HOST_SOCKET || SOCKET_PATH_IN_SANDBOX;
  const stateDir = process.env.DOCKSIDE_STATE_DIR || STATE_DIR_IN_SANDBOX;
  const workspace = path.resolve(process.env.DOCKSIDE_WORKSPACE || WORKSPACE_IN_SANDBOX);
  const inboxDir = process.env.DOCKSIDE_INBOX_DIR || INBOX_DIR_IN_SANDBOX;
  // The conversation is the worker's alone, like the socket next to it.
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });

  const channel = new Channel(socketPath);
  const outbox = new Outbox({
    stateFile: path.join(stateDir, "outbox.json"),
    post: async (events) => WorkerAckSchema.parse(await channel.once("POST", "/worker/events", { events }, { timeoutMs: 30_000 })).ack,
  });
  // Last resort if the process dies some other way: keep undelivered events for the next start.
  process.on("exit", () => outbox.saveLeftovers());

  const stop = new AbortController();
  const requestStop = (reason: string) => stop.signal.aborted || stop.abort(new Interrupted(reason));
  process.on("SIGTERM", () => requestStop("stopped: the container was asked to stop"));
  process.on("SIGINT", () => requestStop("stopped: interrupted"));

  const failed = async (reason: string) => {
    process.stderr.write(`[worker] failed: ${reason}\n`);
    outbox.push(ev("status", { status: "failed", reason }));
    await outbox.close(FINAL_FLUSH_MS);
    return 1;
  };
  /** Stopped before the agent ran (during setup): nothing of a turn to hand over. */
  const stopped = async () => {
    const reason: unknown = stop.signal.reason;
    outbox.push(ev("status", { status: "stopped", reason: reason instanceof Interrupted ? reason.reason : "stopped" }));
    await outbox.close(FINAL_FLUSH_MS);
    return 0;
  };

  // The agent's only way out (HTTP(S)_PROXY of its processes), up before anything of the agent's runs.
  const egressPort = process.env.DOCKSIDE_EGRESS_PORT ? Number(process.env.DOCKSIDE_EGRESS_PORT) : EGRESS_PROXY_PORT;
  try {
    const forwarder = await startForwarder({ socketPath: process.env.DOCKSIDE_EGRESS_SOCKET || EGRESS_SOCKET_IN_SANDBOX, port: egressPort });
    setEgressProxy(forwarder.port);
  } catch (err) {
    const message = `The egress proxy could not start on 127.0.0.1:${egressPort} (${(err as Error).message}): commands in this session have no network`;
    process.stderr.write(`[worker] ${message}\n`);
    outbox.push(ev("error", { message, source: "worker" }));
  }

  let rawConfig: unknown;
  try {
    rawConfig = await channel.call("GET", "/worker/config", undefined, { signal: stop.signal, timeoutMs: 30_000 });
  } catch (err) {
    if (stop.signal.aborted) return 0;
    return failed(`could not get the worker config: ${(err as Error).message}`);
  }
  const config = WorkerConfigSchema.safeParse(rawConfig);
  if (!config.success) return failed(`the host sent an invalid worker config: ${config.error.message}`);

  const store = new StateStore(path.join(stateDir, "agent.json"));
  let state: AgentState;
  try {
    // An older worker's state is migrated (state.ts); one this worker cannot read is a clear failure.
    state = store.load();
  } catch (err) {
    return failed(`could not load the saved conversation (${store.file}): ${(err as Error).message}`);
  }
  const commands = new CommandQueue(channel, state.lastCommandSeq, (reason) => requestStop(reason ?? "stopped by the user"), stop.signal);
  // Polled from now on: an interrupt stops setup too; messages wait for the agent.
  commands.start();

  if (!state.setupDone) {
    let setup: SetupOutcome;
    try {
      setup = await runSetup({ channel, emit: (e) => outbox.push(e), delivered: () => outbox.drained(0), config: config.data, workspace, home: AGENT_HOME, signal: stop.signal });
    } catch (err) {
      if (err instanceof Interrupted || stop.signal.aborted) return stopped();
      return failed(`setup: ${(err as Error).message}`);
    }
    if (setup.failed) return failed(setup.failed);
    // Only once the host knows: otherwise a restart asks it again.
    if (setup.recorded) {
      state.setupDone = true;
      store.save(state);
    }
  }

  const client = createClient(channel);
  const workerEntry = process.argv[1];
  const agent = new Agent({ config: config.data, workspace, workerEntry, inboxDir, channel, client, outbox, commands, store, state, signal: stop.signal });
  try {
    await agent.run();
  } catch (err) {
    if (!(err instanceof Interrupted) && !stop.signal.aborted) return failed((err as Error).message);
    const reason: unknown = stop.signal.reason;
    await agent.shutdown(reason instanceof Interrupted ? reason.reason : "stopped");
    await outbox.close(FINAL_FLUSH_MS);
    return 0;
  }
  return 0;
}

(process.argv[2] === FILE_OP_FLAG ? fileOpMain() : main()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[worker] crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
