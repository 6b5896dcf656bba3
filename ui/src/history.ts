// Backfill for the charts: recent windows from InfluxDB through the gateway's /api/history,
// already summed across partitions.
import { HISTORY } from './analytics-map.ts';
import type { WindowMerger } from './lib/window-merge.ts';

interface HistoryPoint {
  time: number;
  key: string;
  field: string;
  value: number;
}

/** Seeds `merger`; returns how many windows were added. Failures are non-fatal (charts start empty). */
export async function backfillHistory(merger: WindowMerger, token: string | null): Promise<number> {
  let added = 0;
  await Promise.all(
    HISTORY.analytics.map(async (a) => {
      const params = new URLSearchParams({ analytic: a.analytic, minutes: String(HISTORY.minutes), maxKeys: '50' });
      if (token) params.set('token', token);
      const res = await fetch(`/api/history?${params.toString()}`);
      if (!res.ok) return;
      const { points } = (await res.json()) as { points: HistoryPoint[] };
      // One window per (key, time), with all its fields.
      const windows = new Map<string, { key: string; time: number; values: Record<string, number> }>();
      for (const p of points) {
        const id = `${p.key}\u0000${p.time}`;
        const w = windows.get(id) ?? { key: p.key, time: p.time, values: {} };
        w.values[p.field] = p.value;
        windows.set(id, w);
      }
      for (const w of windows.values()) if (merger.seed(a.analytic, w.key, w.time, w.time + a.windowMs, w.values)) added++;
    }),
  ).catch(() => undefined);
  return added;
}
