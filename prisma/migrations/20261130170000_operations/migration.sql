-- Operations (issue 12): state that outlives a process, instances and leases, shared limits and presence.
ALTER TABLE "sessions" ADD COLUMN "fork_source_id" TEXT;
ALTER TABLE "sessions" ADD COLUMN "fork_sha" TEXT;
ALTER TABLE "sessions" ADD COLUMN "stop_requested_at" TIMESTAMP(3);
ALTER TABLE "sessions" ADD COLUMN "stop_reason" TEXT;
ALTER TABLE "sessions" ADD COLUMN "sandbox_removed_at" TIMESTAMP(3);
ALTER TABLE "sessions" ADD COLUMN "workspace_archived_at" TIMESTAMP(3);

CREATE TABLE "instances" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "address" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "session_leases" (
    "session_id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "session_leases_pkey" PRIMARY KEY ("session_id")
);
CREATE INDEX "session_leases_instance_id_idx" ON "session_leases"("instance_id");
ALTER TABLE "session_leases" ADD CONSTRAINT "session_leases_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,
    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

CREATE TABLE "presence" (
    "socket_id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "presence_pkey" PRIMARY KEY ("socket_id")
);
CREATE INDEX "presence_session_id_idx" ON "presence"("session_id");
CREATE INDEX "presence_instance_id_idx" ON "presence"("instance_id");
