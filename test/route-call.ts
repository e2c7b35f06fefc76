// Calls an App Router route handler in-process, as an API token would over HTTP: tests of routes
// (authorization, 422s) without a server.
export type RouteHandler<P> = (req: Request, seg: { params: Promise<P> }) => Promise<Response>;

export async function callRoute<B, P>(handler: RouteHandler<P>, token: string, method: string, params: P, body?: unknown): Promise<{ status: number; body: B }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(new Request("http://dockside.test/api/x", { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json()) as B };
}
