// Response shapes of the history list (GET /api/sessions), shared by the route, the UI and tests.
import { z } from "zod";
import { SessionDtoSchema } from "../protocol/api";

/**
 * Where a search hit a session. `seq` is the matching event (0: the prompt or repository matched
 * but no event did). `snippet` is plain text; `highlights` are [start, end) offsets into it
 * (UTF-16 code units, as JS string indices) of the matched words: render the text, mark ranges.
 */
export const SessionMatchSchema = z.object({
  seq: z.number().int().nonnegative(),
  snippet: z.string(),
  highlights: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});
export type SessionMatch = z.infer<typeof SessionMatchSchema>;

export const HistoryItemSchema = SessionDtoSchema.extend({ match: SessionMatchSchema.optional() });
export type HistoryItem = z.infer<typeof HistoryItemSchema>;

export const SessionPageSchema = z.object({ sessions: z.array(HistoryItemSchema), nextCursor: z.string().nullable() });
export type SessionPage = z.infer<typeof SessionPageSchema>;
