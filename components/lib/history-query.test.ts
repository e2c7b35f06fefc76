import { describe, expect, it } from "vitest";
import { EMPTY_FILTERS, filtersFromParams, filtersToSearch, historyQuery, isFiltered } from "./history-query";

describe("historyQuery", () => {
  it("asks for everything when nothing is set", () => {
    expect(historyQuery(EMPTY_FILTERS, null)).toBe("/api/sessions");
    expect(isFiltered(EMPTY_FILTERS)).toBe(false);
  });

  it("sends trimmed text, status, author and the cursor", () => {
    const url = new URL(historyQuery({ ...EMPTY_FILTERS, q: "  flaky test ", status: "failed", repo: " org/app ", author: "u1" }, "abc123"), "http://x");
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: "flaky test", status: "failed", repo: "org/app", author: "u1", cursor: "abc123" });
  });

  it("asks for the sessions that need attention", () => {
    const url = new URL(historyQuery({ ...EMPTY_FILTERS, attention: "any" }, null), "http://x");
    expect(Object.fromEntries(url.searchParams)).toEqual({ attention: "any" });
    expect(isFiltered({ ...EMPTY_FILTERS, attention: "model_error" })).toBe(true);
  });

  it("turns days into the edges of the local day", () => {
    const url = new URL(historyQuery({ ...EMPTY_FILTERS, from: "2026-03-01", to: "2026-03-02" }, null), "http://x");
    expect(new Date(url.searchParams.get("from")!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(new Date(url.searchParams.get("to")!).getTime()).toBe(new Date(2026, 2, 3).getTime()); // exclusive
  });
});

describe("filters in the page address", () => {
  it("round-trips", () => {
    const f = { ...EMPTY_FILTERS, q: "a&b", status: "idle" as const, attention: "any" as const, from: "2026-01-31" };
    const search = filtersToSearch(f);
    expect(filtersFromParams(Object.fromEntries(new URLSearchParams(search)))).toEqual(f);
    expect(filtersToSearch(EMPTY_FILTERS)).toBe("");
  });

  it("drops values the form can't produce", () => {
    expect(filtersFromParams({ status: "bogus", attention: "someday", from: "yesterday", to: "2026-1-1", q: ["x", "y"] })).toEqual({ ...EMPTY_FILTERS, q: "x" });
  });
});
