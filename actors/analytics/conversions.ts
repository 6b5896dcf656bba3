// Conversions per 1 min (tumbling, one key "all" per partition): conversions, revenue (sum of
// Conversion.value) and rate = conversions / users, where users = distinct userIds with any event
// in the window. Both numerator and denominator are emitted, so the global rate is
// Σconversions / Σusers over partitions (users are disjoint across partitions).
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Aggregator } from '../windows/aggregator.ts';
import { PanedWindowOperator } from '../windows/paned-window.ts';
import { ALL_KEY } from './active-users.ts';

export const CONVERSIONS = 'conversions';

export interface ConversionsOptions {
  /** Emit 'early' updates each time the watermark crosses a multiple of this (ms); 0 = off. */
  earlyFiringIntervalMs?: number;
  /** Track changes for processing-time 'update' results (AnalyticsEngine.emitUpdates). Default true. */
  updates?: boolean;
  windowMs?: number;
}

interface ConversionAcc {
  conversions: number;
  revenue: number;
  users: Set<string>;
}

const conversionAggregator: Aggregator<RtapEvent, ConversionAcc> = {
  create: () => ({ conversions: 0, revenue: 0, users: new Set() }),
  add(acc, e) {
    acc.users.add(e.userId);
    if (e.type === 'Conversion') {
      acc.conversions++;
      acc.revenue += e.value;
    }
  },
  merge(into, from) {
    into.conversions += from.conversions;
    into.revenue += from.revenue;
    for (const u of from.users) into.users.add(u);
  },
  values: (acc) => ({
    conversions: acc.conversions,
    revenue: acc.revenue,
    users: acc.users.size,
    rate: acc.users.size > 0 ? acc.conversions / acc.users.size : 0,
  }),
  encode: (acc) => [acc.conversions, acc.revenue, [...acc.users]],
  decode(json) {
    const [conversions, revenue, users] = json as [number, number, string[]];
    return { conversions, revenue, users: new Set(users) };
  },
};

export function conversionsAnalytic(ctx: OperatorContext, allowedLatenessMs: number, opts: ConversionsOptions = {}): Operator<RtapEvent> {
  return new PanedWindowOperator(ctx, {
    name: CONVERSIONS,
    sizeMs: opts.windowMs ?? 60_000,
    key: () => ALL_KEY,
    eventTime: (e) => e.eventTime,
    aggregator: conversionAggregator,
    allowedLatenessMs,
    earlyFiringIntervalMs: opts.earlyFiringIntervalMs ?? 0,
    updates: opts.updates ?? true,
  });
}
