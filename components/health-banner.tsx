"use client";
// Tells everyone, on every page, why sessions can't start: Docker down, image not ready,
// database down, or the Dockside server itself unreachable. Signed out, /api/health says only
// up or down (details describe the host), so that is all this shows then.
import { useEffect, useState, type ReactNode } from "react";
import { HealthSchema, PublicHealthSchema, type Health } from "../lib/protocol/api";

const POLL_MS = 10_000;

type Probe = { kind: "unknown" } | { kind: "ok"; health: Health } | { kind: "up" } | { kind: "down" } | { kind: "unreachable" };

export function HealthBanner() {
  const [probe, setProbe] = useState<Probe>({ kind: "unknown" });

  useEffect(() => {
    let stopped = false;
    const check = async () => {
      const next = await fetchHealth();
      if (!stopped) setProbe(next);
    };
    void check();
    const timer = setInterval(check, POLL_MS);
    const onVisible = () => document.visibilityState === "visible" && void check();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);

  if (probe.kind === "unknown" || probe.kind === "up") return null;
  if (probe.kind === "down") {
    return <Banner testId="server-banner" tone="red">Dockside is unavailable right now (its database does not answer). Retrying every 10 seconds.</Banner>;
  }
  if (probe.kind === "unreachable") {
    return <Banner testId="server-banner" tone="red">Can&apos;t reach the Dockside server. Retrying every 10 seconds.</Banner>;
  }
  const { docker, image, database } = probe.health;
  return (
    <>
      {!docker.ok && (
        <Banner testId="docker-banner" tone="red">
          Docker engine unreachable at {docker.address}: {docker.error ?? "no answer"}. Sessions can&apos;t start until it is back.
        </Banner>
      )}
      {docker.ok && !image.ready && (
        <Banner testId="image-banner" tone="amber">
          {image.building
            ? `Building the sandbox image ${image.tag}; sessions start once it is ready.`
            : `The sandbox image ${image.tag} is missing${image.error ? `: ${image.error}` : ""}. Sessions can't start until it is built.`}
        </Banner>
      )}
      {!database.ok && (
        <Banner testId="database-banner" tone="red">
          Database ({database.kind}) unavailable{database.error ? `: ${database.error}` : ""}.
        </Banner>
      )}
    </>
  );
}

// The health endpoint may answer 503 with a body: read the body whatever the status.
async function fetchHealth(): Promise<Probe> {
  try {
    const res = await fetch("/api/health", { cache: "no-store", headers: { accept: "application/json" } });
    const body: unknown = await res.json();
    const full = HealthSchema.safeParse(body);
    if (full.success) return { kind: "ok", health: full.data };
    const brief = PublicHealthSchema.safeParse(body);
    if (brief.success) return { kind: brief.data.ok ? "up" : "down" };
    return { kind: "unreachable" };
  } catch {
    return { kind: "unreachable" };
  }
}

function Banner({ testId, tone, children }: { testId: string; tone: "red" | "amber"; children: ReactNode }) {
  const colors =
    tone === "red"
      ? "border-red-500/30 bg-red-500/10 text-red-800 dark:text-red-200"
      : "border-amber-500/30 bg-amber-500/10 text-amber-900 dark:text-amber-200";
  return (
    <div role="alert" data-testid={testId} className={`shrink-0 border-b px-4 py-2 text-sm ${colors}`}>
      {children}
    </div>
  );
}
