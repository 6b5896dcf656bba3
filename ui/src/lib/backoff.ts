// Reconnect delays: exponential from `baseMs`, capped, with ±20 % jitter so a restarted gateway is
// not hit by every dashboard at the same instant.
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 15_000, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
