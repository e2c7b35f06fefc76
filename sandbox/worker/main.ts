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
import { fetchPlan } from "./setup/plan";
import { StateStore, type AgentState } from "./state";
import { FILE_OP_FLAG } from "./tools/file-op";
import { fileOpMain } from "./tools/file-op-child";
import { warmUp } from "./warm-up";

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

  const store = new StateStore(path.join(stateDir, "agent.json"));
  let state: AgentState;
  try {
    // An older worker's state is migrated (state.ts); one this worker cannot read is a clear failure.
    state = store.load();
  } catch (err) {
    return failed(`could not load the saved conversation (${store.file}): ${(err as Error).message}`);
  }

  // The start's round trips run at once: the egress forwarder comes up while the config, the
  // setup plan and the first command poll are asked for (each is a few milliseconds the first
  // model request would otherwise wait for in turn). Nothing of the agent's runs before all three.
  const egressPort = process.env.DOCKSIDE_EGRESS_PORT ? Number(process.env.DOCKSIDE_EGRESS_PORT) : EGRESS_PROXY_PORT;
  const forwarding = startForwarder({ socketPath: process.env.DOCKSIDE_EGRESS_SOCKET || EGRESS_SOCKET_IN_SANDBOX, port: egressPort });
  const configured = settled(channel.call("GET", "/worker/config", undefined, { signal: stop.signal, timeoutMs: 30_000 }));
  // Asked for only until the host took the end of setup; its failure is runSetup's to report.
  const planned = state.setupDone ? null : settled(fetchPlan(channel, stop.signal));
  const commands = new CommandQueue(channel, state.lastCommandSeq, (reason) => requestStop(reason ?? "stopped by the user"), stop.signal);
  // Polled from now on: an interrupt stops setup too; messages wait for the agent.
  commands.start();

  // The agent's only way out (HTTP(S)_PROXY of its processes), up before anything of the agent's runs.
  try {
    setEgressProxy((await forwarding).port);
  } catch (err) {
    const message = `The egress proxy could not start on 127.0.0.1:${egressPort} (${(err as Error).message}): commands in this session have no network`;
    process.stderr.write(`[worker] ${message}\n`);
    outbox.push(ev("error", { message, source: "worker" }));
  }

  const rawConfig = await configured;
  if ("err" in rawConfig) {
    if (stop.signal.aborted) return 0;
    return failed(`could not get the worker config: ${(rawConfig.err as Error).message}`);
  }
  const config = WorkerConfigSchema.safeParse(rawConfig.ok);
  if (!config.success) return failed(`the host sent an invalid worker config: ${config.error.message}`);

  if (planned) {
    let setup: SetupOutcome;
    try {
      const plan = await planned;
      if ("err" in plan) throw plan.err;
      setup = await runSetup({ channel, emit: (e) => outbox.push(e), delivered: () => outbox.drained(0), config: config.data, workspace, home: AGENT_HOME, signal: stop.signal }, plan.ok);
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

/** A promise's outcome without rejecting: asked for early, its failure is reported where it is used. */
function settled<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> {
  return p.then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );
}

/** The flag of a warm-pool sandbox's worker (lib/sandbox/warm-pool.ts): booted ahead of its session. */
const POOLED_FLAG = "--pooled";

/**
 * A pooled worker is imported and ready before any session owns its sandbox; it starts once the
 * host lays down the channel socket, which happens only after a session claimed the sandbox and its
 * workspace is in place. Until then it holds nothing of anyone's: no config, no secrets, no state.
 */
async function assigned(): Promise<void> {
  // Idle time: compile what the first model request would otherwise compile (warm-up.ts).
  await warmUp();
  const socketPath = process.env.DOCKSIDE_HOST_SOCKET || SOCKET_PATH_IN_SANDBOX;
  await new Promise<void>((resolve) => {
    // inotify sees the host bind the socket (same filesystem, another mount of it); a slow poll
    // covers a watch that could not be set up, so an idle pooled worker costs next to nothing.
    const check = () => {
      if (!fs.existsSync(socketPath)) return;
      watcher?.close();
      clearInterval(poll);
      resolve();
    };
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(path.dirname(socketPath), check).on("error", () => watcher?.close());
    } catch {
      watcher = undefined;
    }
    const poll = setInterval(check, 100);
    check();
  });
}

const entry = process.argv[2] === FILE_OP_FLAG ? fileOpMain() : process.argv[2] === POOLED_FLAG ? assigned().then(main) : main();
entry.then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[worker] crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
