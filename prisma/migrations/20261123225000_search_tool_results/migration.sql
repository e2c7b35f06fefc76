-- Tool results become searchable too: the output of read_file, grep, glob and edits lives only there.
-- Each event indexes its first 32,000 characters: parsing costs ~7 ms per 100 KB at ingest, which
-- halved streaming throughput for 50 MB outputs (chunks are up to 256 KB). Ordinary outputs are
-- indexed whole; of a huge output, the start of every chunk. The log itself keeps every byte.
DROP INDEX "events_search_idx";
ALTER TABLE "events" DROP COLUMN "search";
ALTER TABLE "events" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (
  CASE WHEN "type" IN ('user.message', 'assistant.text', 'tool.output', 'tool.call', 'tool.result', 'error')
  THEN to_tsvector('english', left(coalesce("data"->>'text', "data"->>'message', "data"->>'output', ("data"->'input')::text, ''), 32000))
  END) STORED;
CREATE INDEX "events_search_idx" ON "events" USING GIN ("search");
