// The history list's query string (GET /api/sessions): filters, full-text query, keyset cursor.
import { z } from "zod";
import { SessionStatus } from "../events/schema";
import { AttentionKind } from "../events/status";

// Forms send empty fields; an empty filter means "no filter".
const optional = <S extends z.ZodType>(s: S) => z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), s.optional());

const DAY_MS = 86_400_000;
const dateOnly = z.iso.date();
const instant = z.union([z.iso.datetime({ offset: true }), dateOnly]);

export const ListSessionsQuerySchema = z.object({
  /** Full-text query in web-search syntax: words, "a phrase", -not, or. */
  q: optional(z.string().trim().max(500)),
  status: optional(SessionStatus),
  /** Sessions that need a person: of one kind, or `any` kind. */
  attention: optional(z.union([z.literal("any"), AttentionKind])),
  /** Review: `waiting` (done, commits of its own, not merged) or `merged`. */
  review: optional(z.enum(["waiting", "merged"])),
  /** Exact repository as shown on the session (URL or local path). */
  repo: optional(z.string().max(2000)),
  /** Who started it: a user id or an email address. */
  author: optional(z.string().trim().max(320)),
  /** createdAt >= from. */
  from: optional(instant.transform((v) => new Date(v))),
  /** createdAt < to; a date without a time includes that whole day. */
  to: optional(instant.transform((v) => new Date(dateOnly.safeParse(v).success ? Date.parse(v) + DAY_MS : Date.parse(v)))),
  cursor: optional(z.string().max(500)),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuerySchema>;
