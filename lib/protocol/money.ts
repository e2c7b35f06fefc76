// How amounts of money read, the same on the host (budget messages) and in the browser (meters).

/** 2.0134 → "$2.01"; amounts under a cent keep four decimals ("$0.0042") so small calls still show. */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
