import { HistoryView } from "@/components/history/history-view";
import { HomeSummaryView } from "@/components/home/home-summary";
import { filtersFromParams, filtersToSearch } from "@/components/lib/history-query";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function HomePage({ searchParams }: Props) {
  const initial = filtersFromParams(await searchParams);
  // The history takes its filters once, when it mounts: a link into the page with other filters
  // (the home sections' "see all") starts it afresh with those.
  return <HistoryView key={filtersToSearch(initial)} initial={initial} top={<HomeSummaryView />} />;
}
