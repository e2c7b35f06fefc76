// How a routine's schedule reads to a person: the common cron shapes in words ("weekdays at
// 06:00"), run times in the viewer's own zone, and the zones the browser knows.

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const number = /^\d{1,2}$/;

/** Words for the usual five-field shapes; null for anything else (the cron itself is shown anyway). */
export function describeCron(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (month !== "*") return null;
  if (hour === "*" && dom === "*" && dow === "*") {
    if (min === "*") return "every minute";
    const every = /^\*\/(\d{1,2})$/.exec(min);
    if (every) return every[1] === "1" ? "every minute" : `every ${Number(every[1])} minutes`;
    if (number.test(min)) return `every hour at :${min.padStart(2, "0")}`;
    return null;
  }
  if (!number.test(min) || !number.test(hour) || Number(min) > 59 || Number(hour) > 23) return null;
  const at = `at ${hour.padStart(2, "0")}:${min.padStart(2, "0")}`;
  if (dom !== "*") return number.test(dom) && dow === "*" ? `on day ${Number(dom)} of every month ${at}` : null;
  const days = daysOf(dow);
  return days === null ? null : `${days} ${at}`;
}

function daysOf(dow: string): string | null {
  if (dow === "*") return "every day";
  if (dow === "1-5") return "on weekdays";
  const list = dow.split(",");
  if (!list.every((d) => /^[0-7]$/.test(d))) return null;
  const names = [...new Set(list.map((d) => Number(d) % 7))].sort().map((d) => DAYS[d]!);
  if (names.length === 2 && names.includes("Saturday") && names.includes("Sunday")) return "on weekends";
  if (names.length === 1) return `on ${names[0]}s`;
  return `on ${names.map((n) => n.slice(0, 3)).join(", ")}`;
}

/** A run time in the viewer's own zone: "Mon 1 Dec, 07:00". */
export function localRunTime(iso: string, zone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: zone });
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every zone the browser knows, with UTC and the browser's own zone always among them. */
export function timeZones(): string[] {
  const zones = new Set(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []);
  zones.add("UTC");
  zones.add(browserTimeZone());
  return [...zones].sort();
}
