-- The generated server secret, shared by every instance on the database (issue 12).
CREATE TABLE "server_secrets" (
    "id" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    CONSTRAINT "server_secrets_pkey" PRIMARY KEY ("id")
);
