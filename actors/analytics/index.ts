// The original dashboard's window analytics, as engine operators.
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { ActiveUsersOptions } from './active-users.ts';
import type { ConversionsOptions } from './conversions.ts';
import type { PageViewsOptions } from './page-views.ts';
import type { SessionsOptions } from './sessions.ts';
import { activeUsersAnalytic } from './active-users.ts';
import { conversionsAnalytic } from './conversions.ts';
import { pageViewsAnalytic } from './page-views.ts';
import { sessionsAnalytic } from './sessions.ts';

export * from './active-users.ts';
export * from './conversions.ts';
export * from './page-views.ts';
export * from './sessions.ts';

export interface WindowAnalyticsOptions {
  pageViews?: PageViewsOptions;
  activeUsers?: ActiveUsersOptions;
  sessions?: SessionsOptions;
  conversions?: ConversionsOptions;
}

export function builtInWindowAnalytics(ctx: OperatorContext, allowedLatenessMs: number, opts: WindowAnalyticsOptions = {}): Operator<RtapEvent>[] {
  return [
    pageViewsAnalytic(ctx, allowedLatenessMs, opts.pageViews),
    activeUsersAnalytic(ctx, allowedLatenessMs, opts.activeUsers),
    sessionsAnalytic(ctx, allowedLatenessMs, opts.sessions),
    conversionsAnalytic(ctx, allowedLatenessMs, opts.conversions),
  ];
}
