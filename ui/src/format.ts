// Number and time formatting for the dashboard.
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

export const fmtCount = (n: number): string => (Math.abs(n) >= 10_000 ? compact.format(n) : Math.round(n).toLocaleString('en'));
export const fmtRate = (n: number): string => (n >= 100 ? fmtCount(n) : oneDecimal.format(n));
export const fmtMoney = (n: number): string => money.format(n);
export const fmtPercent = (n: number): string => `${oneDecimal.format(n * 100)} %`;

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
}

export function fmtAgo(ts: number | null, now: number): string {
  if (ts === null) return '—';
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

export const fmtClock = (ts: number): string => new Date(ts).toLocaleTimeString('en-GB', { hour12: false });
