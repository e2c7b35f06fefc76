// The shape of GET /api/teams/:id/disk (Settings → Disk): shared by the route and the panel.
import { z } from "zod";

export const DiskUsageSchema = z.object({
  /** The data directory and its disk. */
  dataDir: z.string(),
  totalBytes: z.number(),
  freeBytes: z.number(),
  /** Dockside's own use, by kind (bytes allocated on disk: sparse images count what they hold). */
  usage: z.object({
    sessionFilesystems: z.number(),
    hostRepositories: z.number(),
    environments: z.number(),
    mirrors: z.number(),
    database: z.number(),
  }),
  sessions: z.number(),
  retention: z.object({
    sandboxHours: z.number(),
    archiveDays: z.number(),
    mirrorDays: z.number(),
    environmentCacheBytes: z.number(),
    minFreeBytes: z.number(),
  }),
  measuredAt: z.string(),
});
export type DiskUsage = z.infer<typeof DiskUsageSchema>;
