// Signing up through an invitation link joins its team in the same request, so nobody has to find
// the link again and click "Join". The sign-up form sends the link's token in INVITATION_HEADER:
// before the account is made the link is checked (an unusable one refuses the sign-up, rather
// than leave a new account with no team), after it the new account accepts the invitation.
import { APIError, createAuthMiddleware } from "better-auth/api";
import { ERROR_STATUS, isAppError } from "../errors";
import { INVITATION_HEADER } from "../protocol/teams";
import { acceptInvitation, assertInvitationUsable } from "../teams/invitations";

const SIGN_UP = "/sign-up/email";

const tokenOf = (headers: Headers | undefined) => headers?.get(INVITATION_HEADER)?.trim() || null;

// better-auth answers its own errors; an AppError keeps its status and message.
function asApiError(err: unknown): unknown {
  if (!isAppError(err)) return err;
  const status = err.status as (typeof ERROR_STATUS)[keyof typeof ERROR_STATUS];
  return new APIError(status === 404 ? "NOT_FOUND" : status === 409 ? "CONFLICT" : "BAD_REQUEST", { message: err.message, code: err.code });
}

export const invitationBeforeSignUp = createAuthMiddleware(async (ctx) => {
  const token = ctx.path === SIGN_UP ? tokenOf(ctx.headers) : null;
  if (!token) return;
  await assertInvitationUsable(token).catch((err: unknown) => {
    throw asApiError(err);
  });
});

export const invitationAfterSignUp = createAuthMiddleware(async (ctx) => {
  const token = ctx.path === SIGN_UP ? tokenOf(ctx.headers) : null;
  const user = ctx.context.newSession?.user;
  if (!token || !user) return;
  // The account exists by now whatever happens here: a link used by someone else in between
  // leaves the person signed in without a team, where the page says why (components/auth-gate.tsx).
  await acceptInvitation({ user: { id: user.id, name: user.name, email: user.email } }, token).catch((err: unknown) => {
    if (!isAppError(err)) throw err;
    ctx.context.logger.warn(`sign-up through an invitation: ${err.message}`);
  });
});
