// Hands the session branch to the host as data: whenever refs/heads/<branch> differs from the
// head the host last accepted (even if the agent committed by itself), the turn's events are
// flushed first and then `git bundle create` (run as the agent) streams to
// POST /worker/checkpoint?sha=<head>. The host fetches it into a repository it owns and records
// the commit itself; the worker never claims a commit in an event.
import { spawn } from "node:child_process";
import http from "node:http";
import { ev, type NewEvent } from "../../lib/events/schema";
import { agentSpawn, type AgentUser } from "./agent-user";
import { backoff, sleep, type Channel } from "./channel";
import { HttpError, Interrupted } from "./errors";
import { resolveCommit, SHA_RE } from "./git";
import type { Outbox } from "./outbox";

/** A bigger bundle is not sent: the person is told instead. */
export const MAX_BUNDLE_BYTES = 1024 ** 3;
/** The upload is dropped (and retried) when nothing moves for this long. */
const IDLE_TIMEOUT_MS = 60_000;
const RETRYABLE = new Set([408, 429]);

export type DeliveryDeps = {
  channel: Channel;
  outbox: Pick<Outbox, "drained" | "push">;
  workspace: string;
  user: AgentUser;
  branch: string;
  baseCommit: string;
  maxBytes?: number;
};

class NotSent extends Error {}

export class Delivery {
  /** Heads the host refused or that could not be bundled: not tried again by this process. */
  private readonly given = new Set<string>();

  constructor(private readonly deps: DeliveryDeps) {}

  /**
   * Delivers the branch head if it is not `delivered`; resolves to the head the host now holds
   * (unchanged when there was nothing to send or it was refused). Retries while the host is away;
   * throws Interrupted when `signal` aborts.
   */
  async deliver(delivered: string | null, signal: AbortSignal): Promise<string | null> {
    const { workspace, user, branch, baseCommit } = this.deps;
    const t = { workspace, user };
    const head = await resolveCommit(t, `refs/heads/${branch}`);
    if (!head || head === delivered || this.given.has(head)) return delivered;
    if (head === baseCommit) return head; // the branch holds nothing of its own: nothing to hand over
    await untilAborted(this.deps.outbox.drained(0), signal);
    const hasBase = SHA_RE.test(baseCommit) && (await resolveCommit(t, baseCommit)) !== null;
    const args = ["-c", "safe.directory=*", "bundle", "create", "-", `refs/heads/${branch}`, ...(hasBase ? [`^${baseCommit}`] : [])];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.upload(args, head, signal);
        return head;
      } catch (err) {
        if (signal.aborted) throw new Interrupted("aborted");
        const refused = err instanceof HttpError && err.status < 500 && !RETRYABLE.has(err.status);
        if (refused || err instanceof NotSent) {
          this.given.add(head);
          this.emit(ev("error", { source: "worker", message: describe(err, head) }));
          return delivered;
        }
        if (attempt === 3) process.stderr.write(`[worker] checkpoint upload failing, still retrying: ${String(err)}\n`);
        await sleep(backoff(attempt), signal);
      }
    }
  }

  /** One attempt: git's output goes straight into the request body, never whole into memory. */
  private upload(gitArgs: string[], sha: string, signal: AbortSignal): Promise<void> {
    const max = this.deps.maxBytes ?? MAX_BUNDLE_BYTES;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        killGroup(git.pid);
        req.destroy();
        reject(err);
      };
      const how = agentSpawn(this.deps.user, this.deps.workspace, "git", gitArgs);
      const git = spawn(how.file, how.args, { ...how.options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      const req = http.request({
        socketPath: this.deps.channel.socketPath,
        method: "POST",
        path: `/worker/checkpoint?sha=${sha}`,
        headers: { host: "dockside-host", "content-type": "application/x-git-bundle", accept: "application/json" },
        agent: false,
        signal,
      });
      // A stall is not retried: git hanging on the agent's repository must not hold the turn forever.
      req.setTimeout(IDLE_TIMEOUT_MS, () => fail(new NotSent(`the upload stalled for ${IDLE_TIMEOUT_MS / 1000} s`)));
      req.on("error", (err) => fail(err));
      req.on("response", (res) => {
        let body = "";
        res.on("data", (c: Buffer) => void (body.length < 4000 && (body += c.toString("utf8"))));
        res.on("error", (err) => fail(err));
        res.on("end", () => {
          const status = res.statusCode ?? 500;
          if (status >= 400) return fail(new HttpError(status, body));
          if (settled) return;
          settled = true;
          resolve();
        });
      });
      let bytes = 0;
      let stderr = "";
      git.stderr.on("data", (c: Buffer) => void (stderr.length < 2000 && (stderr += c.toString("utf8"))));
      git.stdout.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > max) return fail(new NotSent(`the branch's bundle is over ${Math.round(max / 2 ** 20)} MB`));
        // Backpressure: git waits while the host is slower than it.
        if (!req.write(chunk)) git.stdout.pause();
      });
      req.on("drain", () => git.stdout.resume());
      git.on("error", (err) => fail(new NotSent(`could not run git bundle: ${err.message}`)));
      git.on("close", (code) => {
        if (code !== 0) return fail(new NotSent(`git bundle failed: ${stderr.trim().slice(0, 500) || `exit code ${code}`}`));
        if (!settled) req.end();
      });
    });
  }

  private emit(event: NewEvent): void {
    this.deps.outbox.push(event);
  }
}

function describe(err: unknown, sha: string): string {
  const what = `Checkpoint ${sha.slice(0, 12)} was not handed to Dockside`;
  if (err instanceof HttpError) return `${what}: the host refused it (${err.status}: ${hostMessage(err.body)})`;
  return `${what}: ${err instanceof Error ? err.message : String(err)}`;
}

/** The host's JSON error message, or its raw answer. */
function hostMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && "error" in parsed) {
      const e = (parsed as { error: unknown }).error;
      if (typeof e === "string") return e.slice(0, 500);
      if (e && typeof e === "object" && "message" in e) return String((e as { message: unknown }).message).slice(0, 500);
    }
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 500) || "no reason given";
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Waits for `p`, or throws Interrupted as soon as `signal` aborts. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}
