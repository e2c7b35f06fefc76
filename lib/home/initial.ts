// The home summary for the page's server render: the page then paints with it, and the new-session
// form below it never jumps down when the summary (or the first-step card) arrives a moment later,
// moving the button from under a pointer about to click it. Authorized as GET /api/home is.
import { asRouteJson, readForPage } from "../http/page-read";
import { HomeSummarySchema, type HomeSummary } from "../protocol/home";
import { callerHomeSummary } from "./summary";

export function initialHomeSummary(headers: Headers): Promise<HomeSummary | null> {
  return readForPage(headers, async (caller) => asRouteJson(HomeSummarySchema, await callerHomeSummary(caller)));
}
