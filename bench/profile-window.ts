// Cuts a server CPU profile (--cpu-prof) to the windows of session starts and says where the main
// thread's time went in them: `npx tsx bench/profile-window.ts <profile.cpuprofile> <start-steps.jsonl>`.
// Each start's window runs from its request (monoT0Us, lib/sandbox/start-steps.ts) to its worker's
// first model request. Prints the busy share and the top functions and packages by self time.
import fs from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; startTime: number; samples: number[]; timeDeltas: number[] };

const [profileFile, stepsFile, top = "25"] = process.argv.slice(2);
if (!profileFile || !stepsFile) {
  console.error("usage: profile-window.ts <profile.cpuprofile> <start-steps.jsonl> [top]");
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(profileFile, "utf8")) as Profile;
const lines = fs.readFileSync(stepsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { sessionId: string; monoT0Us?: number; worker?: Record<string, number> });
const windows: [number, number][] = [];
for (const l of lines) {
  if (l.monoT0Us === undefined) continue;
  const first = lines.find((w) => w.sessionId === l.sessionId && w.worker?.["POST /v1/messages"] !== undefined);
  if (first) windows.push([l.monoT0Us, l.monoT0Us + first.worker!["POST /v1/messages"] * 1000]);
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const pkg = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return m ? m[1] : url.startsWith("node:") ? "node internals" : url ? (url.includes("/lib/") ? "dockside lib" : url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, "")) : "(native/vm)";
};
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** The nearest of our own frames (lib/, app/, server.ts) above a sample: who asked for the work. */
const ours = (id: number): string => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)!.callFrame;
    if (f.url && !f.url.includes("node_modules") && !f.url.startsWith("node:") && /\/(lib|app|server)/.test(f.url)) return `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(?=(lib|app)\/)/, "")}:${f.lineNumber}`;
  }
  return "(none of ours)";
};
const caller = new Map<string, number>();
const fn = new Map<string, number>();
const pk = new Map<string, number>();
let t = profile.startTime;
let inWindow = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (!windows.some(([a, b]) => t >= a && t < b)) continue;
  inWindow += dt;
  const n = byId.get(profile.samples[i])!;
  const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, "")}:${n.callFrame.lineNumber}`;
  fn.set(key, (fn.get(key) ?? 0) + dt);
  const p = n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : pkg(n.callFrame.url);
  pk.set(p, (pk.get(p) ?? 0) + dt);
  if (p !== "(idle)") {
    const c = ours(n.id);
    caller.set(c, (caller.get(c) ?? 0) + dt);
  }
}
const total = windows.reduce((s, [a, b]) => s + (b - a), 0);
const ms = (us: number) => (us / 1000).toFixed(1);
const idle = pk.get("(idle)") ?? 0;
console.log(`${windows.length} starts, ${ms(total)} ms of windows; sampled ${ms(inWindow)} ms, idle ${ms(idle)} ms, busy ${ms(inWindow - idle)} ms (${((100 * (inWindow - idle)) / Math.max(1, inWindow)).toFixed(0)} %)`);
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (ms over all windows)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`${ms(v).padStart(8)}  ${k}`);
};
print("by package", pk);
print("by function", fn);
print("by our nearest caller (busy time)", caller);
