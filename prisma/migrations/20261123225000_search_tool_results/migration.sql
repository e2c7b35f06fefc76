-- Tool results become searchable too: the output of read_file, grep, glob and edits lives only there.
DROP INDEX "events_search_idx";
ALTER TABLE "events" DROP COLUMN "search";
ALTER TABLE "events" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (
  CASE WHEN "type" IN ('user.message', 'assistant.text', 'tool.output', 'tool.call', 'tool.result', 'error')
  THEN to_tsvector('english', left(coalesce("data"->>'text', "data"->>'message', "data"->>'output', ("data"->'input')::text, ''), 100000))
  END) STORED;
CREATE INDEX "events_search_idx" ON "events" USING GIN ("search");
