// Invitation links this browser opened and has not used yet. Someone who opens a link, wanders
// off and signs up elsewhere still finds it on the "no team yet" page. Links are not addressed to
// an email (there is no mail server), so the browser that opened one is what remembers it.
const KEY = "dockside.invitations";
const MAX = 5;

export function rememberedInvitations(): string[] {
  try {
    const v: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === "string" && t.startsWith("inv_")).slice(0, MAX) : [];
  } catch {
    return [];
  }
}

export function rememberInvitation(token: string): void {
  save([token, ...rememberedInvitations().filter((t) => t !== token)]);
}

export function forgetInvitation(token: string): void {
  save(rememberedInvitations().filter((t) => t !== token));
}

function save(tokens: string[]): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(tokens.slice(0, MAX)));
  } catch {
    // Storage may be off (private windows): the link itself still works.
  }
}
