// Dockside's one process: Next.js pages and API routes, socket.io live streams, and the
// session orchestrator, on one HTTP server.
import http from "node:http";
import next from "next";
import { env } from "./lib/config/env";
import { attachSocket } from "./lib/realtime/socket";
import { startRuntime } from "./lib/runtime/start";
import { CLIENT_IP_HEADER, clientAddress } from "./lib/http/client-ip";
import { bodyLimitFor, limitBody } from "./lib/http/body-limit";
import { setSecurityHeaders } from "./lib/http/security-headers";
import { startInstance, stopInstance } from "./lib/runner/instance";
import { releaseAllLeases } from "./lib/runner/lease";

async function main(): Promise<void> {
  const e = env();
  const dev = process.argv.includes("--dev");
  const started = await startRuntime();
  const app = next({ dev, hostname: e.HOSTNAME, port: e.PORT, turbopack: dev });
  await app.prepare();
  const handle = app.getRequestHandler();
  const maxBody = e.DOCKSIDE_MAX_BODY_KB * 1024;
  // socket.io's own requests never reach this handler; it caps them with maxHttpBufferSize.
  const server = http.createServer((req, res) => {
    req.headers[CLIENT_IP_HEADER] = clientAddress(req);
    setSecurityHeaders(res);
    if (!limitBody(req, res, bodyLimitFor(req.method, req.url, maxBody))) return;
    void handle(req, res);
  });
  // Several instances may share the database: this one beats in `instances` before any socket
  // can record presence under its id, and live events cross instances through the database.
  await startInstance();
  const socket = await attachSocket(server, { databaseUrl: started.databaseUrl });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HOSTNAME, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : e.PORT;
  const id = await startInstance({ address: `http://${e.HOSTNAME}:${port}` }); // recorded at the next beat
  console.log(`Dockside is running at http://${e.HOSTNAME}:${port} (instance ${id})`);
  for (const line of started.describe) console.log(`  ${line}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[server] ${signal}: shutting down (sandboxes keep running)`);
    await socket.close().catch((err) => console.error(err));
    server.closeAllConnections();
    // Before the database goes: the other instances take this one's sessions at once instead of
    // after the lease runs out (anything the orchestrator still writes meanwhile is fenced off).
    await releaseAllLeases().catch(() => undefined);
    await stopInstance();
    await started.stop().catch((err) => console.error(err));
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err) => {
  console.error(`Dockside failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
