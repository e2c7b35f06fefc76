import { headers } from "next/headers";
import { HistoryView } from "@/components/history/history-view";
import { HomeSummaryView } from "@/components/home/home-summary";
import { filtersFromParams, filtersToSearch } from "@/components/lib/history-query";
import { initialHomeSummary } from "@/lib/home/initial";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function HomePage({ searchParams }: Props) {
  const [params, summary] = await Promise.all([searchParams, headers().then((h) => initialHomeSummary(new Headers(h)))]);
  const initial = filtersFromParams(params);
  // The history takes its filters once, when it mounts: a link into the page with other filters
  // (the home sections' "see all") starts it afresh with those.
  return <HistoryView key={filtersToSearch(initial)} initial={initial} top={<HomeSummaryView initial={summary} />} />;
}
