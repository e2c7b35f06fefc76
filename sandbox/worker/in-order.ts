// Host calls that append to the session's log (an approval request, a proposed memory, a routine's
// report) go only after every event emitted before them reached the host. Events travel in the
// outbox's batches (every 50 ms) while these calls go at once: without the wait, "needs approval"
// could land before the "running", the text and the tool call that led to it, and the log (and
// every browser watching) would end on "running" while the agent waits for a person.
import { untilAborted } from "./deliver";
import type { AgentHost } from "./agent-host";
import type { PermissionHost } from "./permissions/host";

/** Resolves once every event emitted so far was delivered (Outbox.drained(0)). */
export type Delivered = () => Promise<void>;

export function permissionsInOrder(host: PermissionHost, delivered: Delivered): PermissionHost {
  return {
    permissions: (signal) => host.permissions(signal),
    request: async (req, signal) => {
      await untilAborted(delivered(), signal);
      return host.request(req, signal);
    },
    poll: (id, waitS, signal) => host.poll(id, waitS, signal),
  };
}

export function agentHostInOrder(host: AgentHost, delivered: Delivered): AgentHost {
  return {
    remember: async (req, signal) => {
      await untilAborted(delivered(), signal);
      return host.remember(req, signal);
    },
    recall: (req, signal) => host.recall(req, signal),
    report: async (req, signal) => {
      await untilAborted(delivered(), signal);
      return host.report(req, signal);
    },
  };
}
