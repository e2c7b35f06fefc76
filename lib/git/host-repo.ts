// The host-owned repository of a session (sessions/<id>/host.git). Every host git command on a
// session's branch runs here; the agent's commits arrive only as data (a bundle the worker hands
// over), fetched with a configuration that honours nothing from the source.
import type { NewEvent } from "../events/schema";

/**
 * Fetches a checkpoint bundle (a file the host wrote from the worker's upload) into host.git and
 * moves the session branch to `sha`. Resolves to the `commit` event to record, or null when the
 * branch already points at `sha` (a resend). Throws AppError("invalid") for a bundle that does not
 * hold `sha` on the session branch.
 */
export async function receiveCheckpoint(sessionId: string, sha: string, bundlePath: string): Promise<NewEvent | null> {
  void sessionId; void sha; void bundlePath;
  throw new Error("not implemented yet");
}
