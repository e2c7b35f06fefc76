// A person closes an alert (members and up; another team's alert is 404). Audited.
import { resolveAlertAs } from "@/lib/alerts/resolve";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ params, caller }) => resolveAlertAs(caller, params.id));
