// The home summary for the page's server render: the page then paints with it, and the new-session
// form below it never jumps down when the summary (or the first-step card) arrives a moment later,
// moving the button from under a pointer about to click it. Authorized as GET /api/home is; any
// failure leaves the browser to fetch it as before.
import { resolveCaller } from "../auth/caller";
import { HomeSummarySchema, type HomeSummary } from "../protocol/home";
import { callerHomeSummary } from "./summary";

export async function initialHomeSummary(headers: Headers): Promise<HomeSummary | null> {
  try {
    const caller = await resolveCaller(headers);
    if (!caller) return null;
    // As the browser would read it from the route: JSON, checked by the same schema.
    return HomeSummarySchema.parse(JSON.parse(JSON.stringify(await callerHomeSummary(caller))));
  } catch {
    return null;
  }
}
