// The sandbox's way out: 127.0.0.1:3128 (HTTP(S)_PROXY of every agent process) forwarded byte
// for byte to the host's egress proxy on /run/dockside/egress.sock, which only the worker can
// reach (root, 0700). The host's proxy applies the session's policy; this only carries bytes.
// Clients are the agent's processes, so hostile: any error closes that connection and nothing
// else, and there is a cap on how many are open at once.
import net from "node:net";

export type Forwarder = { port: number; close(): Promise<void> };

export type ForwarderOptions = {
  socketPath: string;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Connections past this many are closed at once. */
  maxConnections?: number;
};

export const MAX_CONNECTIONS = 512;

export function startForwarder(opts: ForwarderOptions): Promise<Forwarder> {
  const max = opts.maxConnections ?? MAX_CONNECTIONS;
  const open = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    if (open.size >= max) {
      client.on("error", () => undefined);
      client.destroy();
      return;
    }
    open.add(client);
    // Half-closes pass through (a client may end its request and still read the answer); the
    // pair goes when either side fails or both directions are done.
    const upstream = net.createConnection({ path: opts.socketPath, allowHalfOpen: true });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on("error", close);
      s.on("close", close);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on("error", (err) => process.stderr.write(`[worker] egress forwarder: ${err.message}\n`));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
