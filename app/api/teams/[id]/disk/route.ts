import { authorize } from "@/lib/auth/authorize";
import { diskUsage } from "@/lib/gc/disk-usage";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

// Admins and owners: the installation's disk and Dockside's use by kind (totals only: no other
// team's names or sessions), with the retention settings that bound them.
export const GET = route<{ id: string }>(async ({ params, caller }) => {
  await authorize(caller, params.id, "settings.manage", "team not found");
  return diskUsage();
});
