import { HistoryView } from "@/components/history/history-view";
import { filtersFromParams } from "@/components/lib/history-query";
import { NeedsAttention } from "@/components/needs-attention";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function HomePage({ searchParams }: Props) {
  return <HistoryView initial={filtersFromParams(await searchParams)} top={<NeedsAttention />} />;
}
