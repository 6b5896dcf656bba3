// From merged windows to the numbers on the dashboard. Pure: tested without a browser.
import { ANALYTICS } from '../analytics-map.ts';
import type { MergedWindow, WindowMerger } from './window-merge.ts';

export interface DashboardMetrics {
  pageViews: { perSecond: number; series: number[]; topPages: { page: string; count: number }[]; total: number };
  activeUsers: { current: number; series: number[] };
  sessions: { count: number; avgDurationMs: number; pagesPerSession: number };
  conversions: { conversions: number; revenue: number; rate: number; series: number[] };
}

const SERIES_POINTS = 60;
const TOP_PAGES = 8;
const TOP_PAGES_WINDOWS = 12;

export function deriveMetrics(merger: WindowMerger): DashboardMetrics {
  return {
    pageViews: pageViews(merger.windows(ANALYTICS.pageViews.analytic)),
    activeUsers: activeUsers(merger.windows(ANALYTICS.activeUsers.analytic)),
    sessions: sessions(merger.windows(ANALYTICS.sessions.analytic)),
    conversions: conversions(merger.windows(ANALYTICS.conversions.analytic)),
  };
}

/** Sums one field per window (windows sharing start and end), oldest first. */
export function totalsPerWindow(windows: readonly MergedWindow[], field: string): { windowStart: number; windowEnd: number; value: number }[] {
  const byWindow = new Map<string, { windowStart: number; windowEnd: number; value: number }>();
  for (const w of windows) {
    const k = `${w.windowStart}-${w.windowEnd}`;
    const t = byWindow.get(k) ?? { windowStart: w.windowStart, windowEnd: w.windowEnd, value: 0 };
    t.value += w.values[field] ?? 0;
    byWindow.set(k, t);
  }
  return [...byWindow.values()].sort((a, b) => a.windowEnd - b.windowEnd);
}

function pageViews(windows: MergedWindow[]): DashboardMetrics['pageViews'] {
  const field = ANALYTICS.pageViews.count;
  const totals = totalsPerWindow(windows, field);
  const rate = (t: { windowStart: number; windowEnd: number; value: number }): number => t.value / Math.max(1, (t.windowEnd - t.windowStart) / 1000);
  // The newest window is usually still filling; the one before it is the honest current rate.
  const current = totals.length >= 2 ? totals[totals.length - 2]! : totals[totals.length - 1];
  const recentStarts = new Set(totals.slice(-TOP_PAGES_WINDOWS).map((t) => t.windowStart));
  const perPage = new Map<string, number>();
  for (const w of windows) if (recentStarts.has(w.windowStart)) perPage.set(w.key, (perPage.get(w.key) ?? 0) + (w.values[field] ?? 0));
  const topPages = [...perPage]
    .map(([page, count]) => ({ page, count }))
    .sort((a, b) => b.count - a.count || a.page.localeCompare(b.page))
    .slice(0, TOP_PAGES);
  return {
    perSecond: current ? rate(current) : 0,
    // The chart shows completed windows only: a filling window would look like a drop.
    series: (totals.length >= 2 ? totals.slice(0, -1) : totals).slice(-SERIES_POINTS).map(rate),
    topPages,
    total: totals.reduce((s, t) => s + t.value, 0),
  };
}

function activeUsers(windows: MergedWindow[]): DashboardMetrics['activeUsers'] {
  const totals = totalsPerWindow(windows, ANALYTICS.activeUsers.users);
  return { current: totals[totals.length - 1]?.value ?? 0, series: totals.slice(-SERIES_POINTS).map((t) => t.value) };
}

function sessions(windows: MergedWindow[]): DashboardMetrics['sessions'] {
  if (windows.length === 0) return { count: 0, avgDurationMs: 0, pagesPerSession: 0 };
  let duration = 0;
  let pages = 0;
  for (const w of windows) {
    duration += w.values[ANALYTICS.sessions.duration] ?? w.windowEnd - w.windowStart;
    const pageField = ANALYTICS.sessions.pages.find((f) => f in w.values);
    pages += pageField ? w.values[pageField]! : 0;
  }
  return { count: windows.length, avgDurationMs: duration / windows.length, pagesPerSession: pages / windows.length };
}

function conversions(windows: MergedWindow[]): DashboardMetrics['conversions'] {
  const a = ANALYTICS.conversions;
  const totals = totalsPerWindow(windows, a.conversions);
  const latest = totals[totals.length - 1];
  if (!latest) return { conversions: 0, revenue: 0, rate: 0, series: [] };
  const inLatest = windows.filter((w) => w.windowStart === latest.windowStart && w.windowEnd === latest.windowEnd);
  const sum = (f: string): number => inLatest.reduce((s, w) => s + (w.values[f] ?? 0), 0);
  const denomField = a.denominators.find((f) => inLatest.some((w) => f in w.values));
  const denom = denomField ? sum(denomField) : 0;
  return {
    conversions: latest.value,
    revenue: sum(a.revenue),
    rate: denom > 0 ? latest.value / denom : 0,
    series: totals.slice(-SERIES_POINTS).map((t) => t.value),
  };
}
