import type { Metadata } from "next";
import { MemoryView } from "@/components/memory/memory-view";
import { MEMORY_STATES, type MemoryState } from "@/lib/protocol/memory";

export const metadata: Metadata = { title: "Memory · Dockside" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : "");

export default async function MemoryPage({ searchParams }: Props) {
  const params = await searchParams;
  const state = one(params.state);
  const initial = {
    scope: one(params.repo).slice(0, 200),
    state: (MEMORY_STATES as readonly string[]).includes(state) ? (state as MemoryState) : null,
    q: one(params.q).slice(0, 500),
  };
  return <MemoryView initial={initial} />;
}
