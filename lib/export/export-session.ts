// GET /api/sessions/:id/export: the whole session as Markdown or JSON, streamed batch by batch
// from the event log, so memory stays flat however long the log is.
import { z } from "zod";
import { readEvents } from "../events/store";
import type { SessionDto } from "../protocol/api";
import { getSession, toDto } from "../sessions/dto";
import { createMarkdownRenderer, renderHeader } from "./markdown";

export const ExportQuerySchema = z.object({ format: z.enum(["md", "json"]).default("md") });
export type ExportFormat = z.infer<typeof ExportQuerySchema>["format"];

const BATCH = 1000;

export interface SessionExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** Loads the session of the team (404 otherwise) and returns its export as a stream. */
export async function exportSession(teamId: string, sessionId: string, format: ExportFormat): Promise<SessionExport> {
  const session = toDto(await getSession(teamId, sessionId));
  const chunks = format === "json" ? jsonChunks(session) : markdownChunks(session);
  return {
    filename: `dockside-${session.id}.${format}`,
    contentType: format === "json" ? "application/json; charset=utf-8" : "text/markdown; charset=utf-8",
    body: toStream(chunks),
  };
}

async function* batches(sessionId: string) {
  for (let after = 0; ; ) {
    const events = await readEvents(sessionId, after, BATCH);
    if (!events.length) return;
    yield events;
    after = events[events.length - 1].seq;
  }
}

async function* jsonChunks(session: SessionDto): AsyncGenerator<string> {
  yield `{"session":${JSON.stringify(session)},"events":[`;
  let first = true;
  for await (const events of batches(session.id)) {
    yield (first ? "" : ",") + events.map((e) => JSON.stringify(e)).join(",");
    first = false;
  }
  yield "]}\n";
}

async function* markdownChunks(session: SessionDto): AsyncGenerator<string> {
  yield renderHeader(session);
  const md = createMarkdownRenderer();
  for await (const events of batches(session.id)) yield events.map(md.render).join("");
  yield md.finish();
}

function toStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
