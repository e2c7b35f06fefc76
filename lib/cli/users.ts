// `dockside user ...`: accounts created through better-auth, exactly as the sign-up page does
// (same password hashing, same first-account hook).
import { z } from "zod";
import { auth } from "../auth/auth";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { UserDto } from "../protocol/teams";
import { defineCommand } from "./command";

export const Email = z.email("must be an email address").transform((s) => s.toLowerCase());

export async function createUser(input: { email: string; password: string; name?: string }): Promise<UserDto> {
  const email = input.email.toLowerCase();
  if (await db().user.findUnique({ where: { email } })) throw new AppError("conflict", `a user with the email ${email} already exists`);
  let user: { id: string; email: string; name: string };
  try {
    ({ user } = await auth().api.signUpEmail({ body: { email, password: input.password, name: input.name ?? email.split("@")[0] } }));
  } catch (err) {
    throw fromAuthError(err);
  }
  // Sign-up signs the new user in; nobody holds that browser session, so drop it.
  await db().authSession.deleteMany({ where: { userId: user.id } });
  return { id: user.id, email: user.email, name: user.name };
}

/** The user with this email, or a not-found error that names it. */
export async function userByEmail(email: string): Promise<{ id: string; name: string; email: string }> {
  const user = await db().user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) throw new AppError("not_found", `no user with the email ${email}`);
  return { id: user.id, name: user.name, email: user.email };
}

// better-auth's APIError carries a status and a message written for people.
function fromAuthError(err: unknown): unknown {
  if (!(err instanceof Error) || err.name !== "APIError") return err;
  const e = err as Error & { statusCode?: number; body?: { code?: string; message?: string } };
  const code = e.body?.code ?? "";
  const limits = auth().options.emailAndPassword;
  const message =
    code === "PASSWORD_TOO_SHORT" ? `the password is too short: at least ${limits?.minPasswordLength} characters`
    : code === "PASSWORD_TOO_LONG" ? `the password is too long: at most ${limits?.maxPasswordLength} characters`
    : e.body?.message || e.message || "sign-up failed";
  return new AppError(code.startsWith("USER_ALREADY_EXISTS") ? "conflict" : "invalid", message, { cause: err });
}

export const userCommands = {
  create: defineCommand({
    summary: "create an account (the first account becomes owner of the first team)",
    usage: "--email E --password P [--name N]",
    flags: z.object({ email: Email, password: z.string().min(1), name: z.string().trim().min(1).max(100).optional() }),
    run: (f) => createUser(f),
  }),
};
