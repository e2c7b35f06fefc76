// Keyset cursors: the (createdAt, id) of the last row of a page, as base64url JSON. Opaque to
// clients; a cursor that does not decode is the client's mistake (422), never a 500.
import { z } from "zod";
import { AppError } from "../errors";

const CursorSchema = z.object({ t: z.iso.datetime(), id: z.string().min(1).max(64) });

export interface Keyset {
  createdAt: Date;
  id: string;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify({ t: k.createdAt.toISOString(), id: k.id })).toString("base64url");
}

export const invalidCursor = () => new AppError("invalid", "cursor is not valid: pass back the nextCursor of the previous page");

export function decodeCursor(cursor: string): Keyset {
  try {
    const { t, id } = CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { createdAt: new Date(t), id };
  } catch {
    throw invalidCursor();
  }
}
