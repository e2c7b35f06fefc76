-- Containment: a uid per session (from 200000 up, far from system and image users), a cap on
-- stored tool output, and workspace ops the worker applies inside the sandbox.
CREATE SEQUENCE "sandbox_uid_seq" START WITH 200000 MINVALUE 200000 MAXVALUE 2000000000;
ALTER TABLE "sessions" ADD COLUMN "sandbox_uid" INTEGER NOT NULL DEFAULT nextval('sandbox_uid_seq');
ALTER SEQUENCE "sandbox_uid_seq" OWNED BY "sessions"."sandbox_uid";
CREATE UNIQUE INDEX "sessions_sandbox_uid_key" ON "sessions"("sandbox_uid");
ALTER TABLE "sessions" ADD COLUMN "output_bytes" BIGINT NOT NULL DEFAULT 0;
CREATE TABLE "workspace_ops" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "op" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "bundle" TEXT,
    "ref" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMP(3),
    "error" TEXT,
    CONSTRAINT "workspace_ops_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "workspace_ops_session_id_done_at_idx" ON "workspace_ops"("session_id", "done_at");
ALTER TABLE "workspace_ops" ADD CONSTRAINT "workspace_ops_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
