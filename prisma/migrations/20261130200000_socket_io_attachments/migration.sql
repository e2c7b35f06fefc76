-- socket.io's PostgreSQL adapter keeps payloads over NOTIFY's 8 kB here (its own shape; it deletes
-- old rows itself). Created once here: two instances creating it at start collide (pg_type).
CREATE TABLE IF NOT EXISTS "socket_io_attachments" (
    "id" BIGSERIAL UNIQUE,
    "created_at" TIMESTAMPTZ DEFAULT NOW(),
    "payload" BYTEA
);
