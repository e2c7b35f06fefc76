// A TCP load balancer for tests: each new connection goes to the next upstream in turn, bytes
// are piped both ways, and every connection's upstream is recorded so a test can tell which
// instance a client landed on.
import net from "node:net";

export interface RoundRobin {
  port: number;
  /** Upstream index of each accepted connection, in order. */
  routed: number[];
  close(): Promise<void>;
}

export async function startRoundRobin(upstreams: number[]): Promise<RoundRobin> {
  let next = 0;
  const routed: number[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const i = next++ % upstreams.length;
    routed.push(i);
    const upstream = net.connect(upstreams[i], "127.0.0.1");
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
