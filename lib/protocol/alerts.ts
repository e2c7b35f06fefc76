// Alerts (lib/alerts/): what needs a person, raised before anyone asks. The home page's "Needs
// attention" view lists the open ones; each also reaches people as a notification.
import { z } from "zod";

export const ALERT_KINDS = ["stuck", "looping", "budget", "memory", "disk", "check"] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertDtoSchema = z.object({
  id: z.string(),
  kind: AlertKind,
  sessionId: z.string().nullable(),
  routineId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  createdAt: z.string(),
});
export type AlertDto = z.infer<typeof AlertDtoSchema>;

/** GET /api/alerts: the team's open alerts, newest first. POST /api/alerts/:id/resolve closes one. */
export const AlertListSchema = z.object({ alerts: z.array(AlertDtoSchema) });
