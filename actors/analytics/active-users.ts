// Active users over 1 min, sliding every 5 s: exact distinct userIds of any event type, one key
// ("all") per partition. Partitions see disjoint users, so partials merge by summing `users`.
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Aggregator } from '../windows/aggregator.ts';
import { PanedWindowOperator } from '../windows/paned-window.ts';

export const ACTIVE_USERS = 'active-users';
export const ALL_KEY = 'all';

export interface ActiveUsersOptions {
  /** Emit 'early' updates each time the watermark crosses a multiple of this (ms); 0 = off. */
  earlyFiringIntervalMs?: number;
  windowMs?: number;
  slideMs?: number;
}

interface ActiveUsersAcc {
  events: number;
  users: Set<string>;
}

const activeUsersAggregator: Aggregator<RtapEvent, ActiveUsersAcc> = {
  create: () => ({ events: 0, users: new Set() }),
  add(acc, e) {
    acc.events++;
    acc.users.add(e.userId);
  },
  merge(into, from) {
    into.events += from.events;
    for (const u of from.users) into.users.add(u);
  },
  values: (acc) => ({ users: acc.users.size, events: acc.events }),
  encode: (acc) => [acc.events, [...acc.users]],
  decode(json) {
    const [events, users] = json as [number, string[]];
    return { events, users: new Set(users) };
  },
};

export function activeUsersAnalytic(ctx: OperatorContext, allowedLatenessMs: number, opts: ActiveUsersOptions = {}): Operator<RtapEvent> {
  return new PanedWindowOperator(ctx, {
    name: ACTIVE_USERS,
    sizeMs: opts.windowMs ?? 60_000,
    slideMs: opts.slideMs ?? 5000,
    key: () => ALL_KEY,
    eventTime: (e) => e.eventTime,
    aggregator: activeUsersAggregator,
    allowedLatenessMs,
    earlyFiringIntervalMs: opts.earlyFiringIntervalMs ?? 0,
  });
}
