// Page views per page per 5 s: tumbling count keyed by page.
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import { standardAggregator } from '../windows/aggregations.ts';
import { PanedWindowOperator } from '../windows/paned-window.ts';

export const PAGE_VIEWS = 'page-views';
export const PAGE_VIEWS_WINDOW_MS = 5000;

export interface PageViewsOptions {
  /** Emit 'early' updates each time the watermark crosses a multiple of this (ms); 0 = off. */
  earlyFiringIntervalMs?: number;
  /** Track changes for processing-time 'update' results (AnalyticsEngine.emitUpdates). Default true. */
  updates?: boolean;
  windowMs?: number;
}

export function pageViewsAnalytic(ctx: OperatorContext, allowedLatenessMs: number, opts: PageViewsOptions = {}): Operator<RtapEvent> {
  return new PanedWindowOperator(ctx, {
    name: PAGE_VIEWS,
    sizeMs: opts.windowMs ?? PAGE_VIEWS_WINDOW_MS,
    key: (e) => (e.type === 'PageView' ? e.page : undefined),
    eventTime: (e) => e.eventTime,
    aggregator: standardAggregator<RtapEvent>({}),
    allowedLatenessMs,
    earlyFiringIntervalMs: opts.earlyFiringIntervalMs ?? 0,
    updates: opts.updates ?? true,
  });
}
