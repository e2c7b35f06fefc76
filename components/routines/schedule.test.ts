import { describe, expect, it } from "vitest";
import { describeCron, localRunTime, timeZones } from "./schedule";

describe("describeCron", () => {
  it("puts the usual schedules in words", () => {
    expect(describeCron("0 6 * * 1-5")).toBe("on weekdays at 06:00");
    expect(describeCron("30 9 * * *")).toBe("every day at 09:30");
    expect(describeCron("0 8 * * 1")).toBe("on Mondays at 08:00");
    expect(describeCron("0 8 * * 7")).toBe("on Sundays at 08:00");
    expect(describeCron("0 10 * * 6,0")).toBe("on weekends at 10:00");
    expect(describeCron("15 2 * * 1,3,5")).toBe("on Mon, Wed, Fri at 02:15");
    expect(describeCron("0 3 1 * *")).toBe("on day 1 of every month at 03:00");
    expect(describeCron("*/15 * * * *")).toBe("every 15 minutes");
    expect(describeCron("5 * * * *")).toBe("every hour at :05");
  });

  it("says nothing about shapes it can't put simply (the cron is shown anyway)", () => {
    expect(describeCron("0 6 * 1 *")).toBeNull();
    expect(describeCron("0 6-18/2 * * *")).toBeNull();
    expect(describeCron("0 6 * *")).toBeNull();
    expect(describeCron("61 6 * * *")).toBeNull();
    expect(describeCron("0 6 1 * 1")).toBeNull();
  });
});

describe("run times", () => {
  it("shows a run in the given zone", () => {
    const paris = localRunTime("2026-12-01T06:00:00.000Z", "Europe/Paris");
    expect(paris).toMatch(/07:00/);
    expect(localRunTime("2026-12-01T06:00:00.000Z", "UTC")).toMatch(/06:00/);
  });

  it("always offers UTC", () => {
    expect(timeZones()).toContain("UTC");
    expect(timeZones()).toContain("Europe/Paris");
  });
});
