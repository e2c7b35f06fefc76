// Schedules as people write them: 5-field cron in an IANA zone, refused with a reason otherwise,
// and slots that stay at the local hour across daylight-saving changes.
import { describe, expect, it } from "vitest";
import { checkSchedule, latestSlot, nextSlot, slotsBetween, upcoming } from "./schedule";

const paris = { cron: "0 9 * * *", tz: "Europe/Paris" };

describe("checkSchedule", () => {
  it("keeps 5-field expressions and canonical zone names", () => {
    expect(checkSchedule({ cron: " 0  6 * *   1-5 ", tz: "europe/paris" })).toEqual({ cron: "0 6 * * 1-5", tz: "Europe/Paris" });
    expect(checkSchedule({ cron: "30 8 * * thu", tz: "UTC" })).toEqual({ cron: "30 8 * * thu", tz: "UTC" });
  });

  it("refuses seconds, shortcuts, hashed fields, impossible values and unknown zones, saying why", () => {
    const cases: [string, string, RegExp][] = [
      ["* * * * * *", "UTC", /must have 5 fields .* seconds and @shortcuts are not supported/],
      ["0 */5 * * * *", "UTC", /must have 5 fields/],
      ["@hourly", "UTC", /must have 5 fields/],
      ["H 9 * * *", "UTC", /hashed \(H\) fields are not supported/],
      ["61 9 * * *", "UTC", /is not a valid cron expression: .*0-59/],
      ["0 9 31 2 *", "UTC", /is not a valid cron expression/],
      ["0 9 * * *", "Mars/Olympus_Mons", /"Mars\/Olympus_Mons" is not a time zone: use an IANA name/],
      ["0 9 * * *", "+01:00", /is not a time zone/],
    ];
    for (const [cron, tz, why] of cases) expect(() => checkSchedule({ cron, tz }), `${cron} ${tz}`).toThrow(why);
  });
});

describe("slots", () => {
  it("stay at 09:00 in Paris across the spring and autumn changes", () => {
    const spring = upcoming(paris, nextSlot(paris, new Date("2026-03-27T12:00:00Z")), 3).map((d) => d.toISOString());
    expect(spring).toEqual(["2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z", "2026-03-30T07:00:00.000Z"]);
    const autumn = upcoming(paris, nextSlot(paris, new Date("2026-10-24T12:00:00Z")), 2).map((d) => d.toISOString());
    expect(autumn).toEqual(["2026-10-25T08:00:00.000Z", "2026-10-26T08:00:00.000Z"]);
  });

  it("find the latest slot at or before a moment and count the ones passed over", () => {
    expect(latestSlot(paris, new Date("2026-03-26T08:00:00.000Z"))?.toISOString()).toBe("2026-03-26T08:00:00.000Z");
    expect(latestSlot(paris, new Date("2026-03-26T07:59:59.999Z"))?.toISOString()).toBe("2026-03-25T08:00:00.000Z");
    expect(nextSlot(paris, new Date("2026-03-26T08:00:00.000Z")).toISOString()).toBe("2026-03-27T08:00:00.000Z");
    // From the 27th's slot to the 29th's: the 27th and the 28th were missed.
    expect(slotsBetween(paris, new Date("2026-03-27T08:00:00Z"), new Date("2026-03-29T07:00:00Z"))).toBe(2);
    expect(slotsBetween(paris, new Date("2026-03-27T08:00:00Z"), new Date("2026-03-27T08:00:00Z"))).toBe(0);
  });
});
