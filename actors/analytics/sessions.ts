// User sessions: session windows keyed by userId with an inactivity gap (default 30 s).
// Session start/end events count as activity but do not open or close sessions: the gap alone
// decides, because start/end events can be lost or arrive out of order, and a gap-defined
// session is reproducible from any subset of the stream. Values: events, pageViews, durationMs
// (first to last event).
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Aggregator } from '../windows/aggregator.ts';
import { SessionWindowOperator } from '../windows/session-window.ts';

export const SESSIONS = 'sessions';

export interface SessionsOptions {
  gapMs?: number;
}

interface SessionAcc {
  events: number;
  pageViews: number;
}

const sessionAggregator: Aggregator<RtapEvent, SessionAcc> = {
  create: () => ({ events: 0, pageViews: 0 }),
  add(acc, e) {
    acc.events++;
    if (e.type === 'PageView') acc.pageViews++;
  },
  merge(into, from) {
    into.events += from.events;
    into.pageViews += from.pageViews;
  },
  values: (acc) => ({ events: acc.events, pageViews: acc.pageViews }),
  encode: (acc) => [acc.events, acc.pageViews],
  decode(json) {
    const [events, pageViews] = json as [number, number];
    return { events, pageViews };
  },
};

export function sessionsAnalytic(ctx: OperatorContext, allowedLatenessMs: number, opts: SessionsOptions = {}): Operator<RtapEvent> {
  return new SessionWindowOperator(ctx, {
    name: SESSIONS,
    gapMs: opts.gapMs ?? 30_000,
    key: (e) => e.userId,
    eventTime: (e) => e.eventTime,
    aggregator: sessionAggregator,
    allowedLatenessMs,
  });
}
