// Accounts: better-auth with its Prisma adapter (email and password, scrypt-hashed; session
// tokens in an http-only cookie and only their hash in the database; rate-limited sign-in).
// One instance per module graph, created lazily.
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { env } from "../config/env";
import { db } from "../db/client";
import { onUserCreated } from "../teams/first-user";
import { withHashedSessionTokens } from "./hashed-sessions";
import { invitationAfterSignUp, invitationBeforeSignUp } from "./invitation-sign-up";
import { sharedAuthRateLimit } from "./rate-limit";
import { authSecret } from "./secret";
import { CLIENT_IP_HEADER } from "../http/client-ip";

const prisma = () => prismaAdapter(db(), { provider: "postgresql" });
const hashedDatabase: ReturnType<typeof prisma> = (options) => withHashedSessionTokens(prisma()(options));

function create() {
  const e = env();
  return betterAuth({
    appName: "Dockside",
    baseURL: e.publicUrl,
    trustedOrigins: [new URL(e.publicUrl).origin],
    secret: authSecret(),
    database: hashedDatabase,
    // `session` is an agent session in this schema; better-auth's sessions are `AuthSession`.
    session: { modelName: "authSession", expiresIn: 60 * 60 * 24 * 30 },
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 256, autoSignIn: true },
    rateLimit: {
      enabled: true,
      // Counted in PostgreSQL: every instance sees the same attempts (lib/auth/rate-limit.ts).
      customStorage: sharedAuthRateLimit,
      window: 60,
      max: 100,
      customRules: {
        "/sign-in/email": { window: 60, max: 10 },
        "/sign-up/email": { window: 60, max: e.DOCKSIDE_AUTH_SIGNUP_LIMIT },
      },
    },
    // Rate limits key on the address server.ts recorded, not on a header the client controls.
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] } },
    databaseHooks: { user: { create: { after: async (user) => onUserCreated(user) } } },
    // A sign-up through an invitation link joins its team in the same request.
    hooks: { before: invitationBeforeSignUp, after: invitationAfterSignUp },
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof create>;
const g = globalThis as unknown as { __docksideAuth?: Auth };

export function auth(): Auth {
  g.__docksideAuth ??= create();
  return g.__docksideAuth;
}
