// Prisma CLI configuration: the JavaScript schema engine over @prisma/adapter-pg, so that
// `prisma migrate` and `prisma generate` run offline (no native engine download).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// Workaround for prisma/prisma#27403: the adapter cannot deserialize catalog columns of type
// `name` (oid 19) and `"char"` (oid 18) that the migration engine reads. Presenting them as text
// (oid 25) in result field descriptions fixes it. Only this CLI process is patched.
function textifyCatalogTypes(proto: { query: (...args: unknown[]) => unknown }) {
  const orig = proto.query;
  proto.query = function patchedQuery(this: unknown, ...args: unknown[]) {
    const result = orig.apply(this, args);
    if (!(result instanceof Promise)) return result;
    return result.then((r: pg.QueryResult) => {
      for (const f of r?.fields ?? []) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25;
      return r;
    });
  };
}
textifyCatalogTypes(pg.Client.prototype as never);
textifyCatalogTypes(pg.Pool.prototype as never);

export default defineConfig({
  schema: "prisma/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
});
