// What the review page lets a person do, by role. The server decides (lib/auth/roles.ts); this
// only disables controls that would be refused and says why.
import { atLeast, type Role } from "../../../lib/auth/roles";

export interface ReviewPermissions {
  canReview: boolean;
  canMerge: boolean;
  /** Why merging is off, for the button's tooltip; null when it is on. */
  mergeBlocked: string | null;
  /** Why reviewing is off; null when it is on. */
  reviewBlocked: string | null;
}

export function reviewPermissions(role: Role | null, protectedBase: boolean, baseBranch: string, merged: boolean): ReviewPermissions {
  const canReview = role !== null && atLeast(role, "member");
  const reviewBlocked = canReview ? null : role === null ? "You are not a member of this session's team." : "Viewers can read but not review; ask an admin for the member role.";
  let mergeBlocked: string | null = null;
  if (merged) mergeBlocked = "This session is already merged.";
  else if (!canReview) mergeBlocked = reviewBlocked;
  else if (protectedBase && !atLeast(role, "admin")) mergeBlocked = `${baseBranch} is protected: only admins and owners can merge into it.`;
  return { canReview, canMerge: mergeBlocked === null, mergeBlocked, reviewBlocked };
}
