// Removes the sandboxes the e2e servers started (they outlive the servers by design).
import { removeInstanceSandboxes } from "../lib/sandbox/container";

export default async function teardown(): Promise<void> {
  const dir = process.env.DOCKSIDE_E2E_DIR;
  if (dir) await removeInstanceSandboxes(dir);
}
