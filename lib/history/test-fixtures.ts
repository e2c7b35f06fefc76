// Rows for integration tests of history, export and shares: real teams, users, members and
// sessions in the test database, each with fresh ids so test files can run side by side.
import crypto from "node:crypto";
import type { Caller } from "../auth/caller";
import type { Role } from "../auth/roles";
import { db } from "../db/client";
import type { NewEvent } from "../events/schema";
import { appendEvents } from "../events/store";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
export const rid = (n = 16) => Array.from(crypto.randomBytes(n), (b) => ALPHABET[b % ALPHABET.length]).join("");

export async function makeTeam(allowPublicLinks = false): Promise<string> {
  const id = `t${rid(10)}`;
  await db().team.create({ data: { id, name: `Team ${id}`, slug: id, allowPublicLinks } });
  return id;
}

export async function makeUser(name = "Ada"): Promise<Caller> {
  const id = `u${rid(10)}`;
  const user = await db().user.create({ data: { id, name: `${name} ${id}`, email: `${id}@example.test` } });
  return { user: { id: user.id, name: user.name, email: user.email }, via: "cookie" };
}

/** A user who is a member of `teamId` with `role`, as the caller the routes would build. */
export async function makeMember(teamId: string, role: Role = "member", name?: string): Promise<Caller> {
  const caller = await makeUser(name);
  await db().member.create({ data: { teamId, userId: caller.user.id, role } });
  return caller;
}

export interface SessionSpec {
  prompt?: string;
  repo?: string;
  status?: string;
  createdById?: string;
  createdAt?: Date;
  /** Appended through the real event store (seq allocation, projection). */
  events?: NewEvent[];
}

export async function makeSession(teamId: string, spec: SessionSpec = {}): Promise<string> {
  const id = rid(20);
  await db().session.create({
    data: {
      id,
      teamId,
      repo: spec.repo ?? "https://example.test/acme/app.git",
      baseBranch: "main",
      branch: `dockside/${id.slice(0, 8)}`,
      prompt: spec.prompt ?? "do something useful",
      model: "claude-test",
      status: "queued",
      createdById: spec.createdById,
      ...(spec.createdAt ? { createdAt: spec.createdAt } : {}),
    },
  });
  if (spec.events?.length) await appendEvents(id, spec.events);
  if (spec.status) await db().session.update({ where: { id }, data: { status: spec.status } });
  return id;
}
