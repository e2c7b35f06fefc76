// A token bucket: `capacity` tokens at most, refilled at `perSecond`. Rate-limits what a sandbox
// may push at the host (events, bytes, model calls) per session, in memory.
export class TokenBucket {
  private tokens: number;
  private at = Date.now();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {
    this.tokens = capacity;
  }

  /** Seconds until `n` tokens are there (0: now); a request above the capacity never fits. */
  wait(n: number): number {
    this.refill();
    if (n <= this.tokens) return 0;
    if (n > this.capacity) return Infinity;
    return Math.max(1, Math.ceil((n - this.tokens) / this.perSecond));
  }

  take(n: number): void {
    this.refill();
    this.tokens -= n;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }
}

/**
 * Takes from several buckets at once, all or none (a refused request costs nothing). Resolves
 * to 0 when taken, else the seconds to wait, for a 429's retry-after.
 */
export function takeAll(takes: [TokenBucket, number][]): number {
  const wait = Math.max(0, ...takes.map(([b, n]) => b.wait(n)));
  if (wait > 0) return wait;
  for (const [b, n] of takes) b.take(n);
  return 0;
}
