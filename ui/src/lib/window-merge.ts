// Merges per-partition partial window results into totals. Each partition's latest firing of a
// window replaces its earlier ones ('early' → 'final' → 'late'); the window's value is the sum over
// partitions (users are hashed to partitions, so nothing is counted twice).
import { supersedes, type WindowResult } from '../../../actors/results.ts';

export interface MergedWindow {
  analytic: string;
  key: string;
  windowStart: number;
  windowEnd: number;
  values: Record<string, number>;
  partitions: number;
}

/** The pseudo-partition of a window seeded from history: replaced as soon as live data arrives. */
const HISTORY_PART = -1;

interface Part {
  windowEnd: number;
  firing: number;
  trigger: WindowResult['trigger'];
  values: Record<string, number>;
}

interface Cell extends MergedWindow {
  parts: Map<number, Part>;
}

export interface MergerOptions {
  /** Analytics whose windows are sessions: identified by key + start; a later end supersedes. */
  sessionAnalytics?: ReadonlySet<string>;
  /** Windows ending this long before the analytic's newest window are forgotten. */
  retentionMs?: number;
  /** At most this many windows per analytic (sessions: one per user). */
  maxCellsPerAnalytic?: number;
}

export class WindowMerger {
  private readonly byAnalytic = new Map<string, Map<string, Cell>>();
  private readonly newestEnd = new Map<string, number>();
  private readonly sessions: ReadonlySet<string>;
  private readonly retentionMs: number;
  private readonly maxCells: number;

  constructor(opts: MergerOptions = {}) {
    this.sessions = opts.sessionAnalytics ?? new Set();
    this.retentionMs = opts.retentionMs ?? 10 * 60_000;
    this.maxCells = opts.maxCellsPerAnalytic ?? 20_000;
  }

  /** Returns false when the result is a duplicate or older than what is already merged. */
  apply(r: WindowResult): boolean {
    const isSession = this.sessions.has(r.analytic);
    let cells = this.byAnalytic.get(r.analytic);
    if (!cells) this.byAnalytic.set(r.analytic, (cells = new Map()));
    const cellKey = isSession ? `${r.key}\u0000${r.windowStart}` : `${r.key}\u0000${r.windowStart}\u0000${r.windowEnd}`;
    let cell = cells.get(cellKey);
    if (!cell) {
      cell = { analytic: r.analytic, key: r.key, windowStart: r.windowStart, windowEnd: r.windowEnd, values: {}, partitions: 0, parts: new Map() };
      cells.set(cellKey, cell);
    }
    cell.parts.delete(HISTORY_PART);
    const prev = cell.parts.get(r.partition);
    if (prev && (prev.windowEnd > r.windowEnd || (prev.windowEnd === r.windowEnd && !supersedes(r, prev)))) return false;
    cell.parts.set(r.partition, { windowEnd: r.windowEnd, firing: r.firing, trigger: r.trigger, values: r.values });
    this.recompute(cell);
    if (r.windowEnd > (this.newestEnd.get(r.analytic) ?? -Infinity)) this.newestEnd.set(r.analytic, r.windowEnd);
    return true;
  }

  /** A window's total from history (already summed across partitions). Ignored when the window
   * already has live data; live data replaces it. Returns whether it was added. */
  seed(analytic: string, key: string, windowStart: number, windowEnd: number, values: Record<string, number>): boolean {
    let cells = this.byAnalytic.get(analytic);
    if (!cells) this.byAnalytic.set(analytic, (cells = new Map()));
    const cellKey = this.sessions.has(analytic) ? `${key}\u0000${windowStart}` : `${key}\u0000${windowStart}\u0000${windowEnd}`;
    if (cells.has(cellKey)) return false;
    const cell: Cell = { analytic, key, windowStart, windowEnd, values: {}, partitions: 0, parts: new Map([[HISTORY_PART, { windowEnd, firing: -1, trigger: 'final', values }]]) };
    cells.set(cellKey, cell);
    this.recompute(cell);
    if (windowEnd > (this.newestEnd.get(analytic) ?? -Infinity)) this.newestEnd.set(analytic, windowEnd);
    return true;
  }

  /** The analytic's merged windows, oldest first. */
  windows(analytic: string): MergedWindow[] {
    const cells = this.byAnalytic.get(analytic);
    if (!cells) return [];
    return [...cells.values()].sort((a, b) => a.windowStart - b.windowStart || a.windowEnd - b.windowEnd);
  }

  /** Drops windows outside the retention (relative to the analytic's newest data, not the wall clock). */
  prune(): void {
    for (const [analytic, cells] of this.byAnalytic) {
      const horizon = (this.newestEnd.get(analytic) ?? 0) - this.retentionMs;
      for (const [k, c] of cells) if (c.windowEnd < horizon) cells.delete(k);
      if (cells.size > this.maxCells) {
        const oldest = [...cells].sort((a, b) => a[1].windowEnd - b[1].windowEnd).slice(0, cells.size - this.maxCells);
        for (const [k] of oldest) cells.delete(k);
      }
    }
  }

  private recompute(cell: Cell): void {
    const sum: Record<string, number> = {};
    let end = cell.windowStart;
    for (const p of cell.parts.values()) {
      for (const [f, v] of Object.entries(p.values)) sum[f] = (sum[f] ?? 0) + v;
      if (p.windowEnd > end) end = p.windowEnd;
    }
    cell.values = sum;
    cell.windowEnd = end;
    cell.partitions = cell.parts.size;
  }
}
