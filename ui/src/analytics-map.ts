// The one place that knows the analytics' and patterns' names and value fields (actors/analytics,
// actors/patterns). Renaming an analytic on the node side means editing this table only.

export const ANALYTICS = {
  pageViews: { analytic: 'page-views', count: 'count', windowMs: 5000 },
  activeUsers: { analytic: 'active-users', users: 'users', windowMs: 60_000 },
  /** Session windows: a session's window grows as events arrive, so it is identified by its start. */
  sessions: { analytic: 'sessions', pages: ['pageViews', 'pages'], duration: 'durationMs' },
  /** Conversion rate = conversions / the first denominator field present. */
  conversions: { analytic: 'conversions', conversions: 'conversions', revenue: 'revenue', denominators: ['users', 'sessions'], windowMs: 60_000 },
} as const;

/** Charts backfilled from InfluxDB (/api/history) on the first connect; the live replay covers
 * only the last two minutes. History points carry the window start; the size comes from here. */
export const HISTORY = { minutes: 10, analytics: [ANALYTICS.pageViews, ANALYTICS.activeUsers, ANALYTICS.conversions] } as const;

/** Analytics whose windows are sessions (cell identity ignores the window end). */
export const SESSION_ANALYTICS: ReadonlySet<string> = new Set([ANALYTICS.sessions.analytic]);

export interface PatternStyle {
  label: string;
  severity: 'info' | 'warn' | 'critical';
}

export const PATTERNS: Record<string, PatternStyle> = {
  funnel: { label: 'Funnel completed', severity: 'info' },
  cartAbandonment: { label: 'Cart abandoned', severity: 'warn' },
  cart_abandonment: { label: 'Cart abandoned', severity: 'warn' },
  burst: { label: 'Activity burst', severity: 'critical' },
};

export function patternStyle(pattern: string): PatternStyle {
  return PATTERNS[pattern] ?? { label: pattern, severity: 'info' };
}

/** Topics the dashboard subscribes to. */
export const DASHBOARD_TOPICS = [...Object.values(ANALYTICS).map((a) => `window.${a.analytic}`), 'alerts', 'cluster'];

/** Jaeger's page of one trace; `jaegerUrl` comes from the gateway's hello (`gateway.jaeger-url`). */
export const jaegerTraceUrl = (jaegerUrl: string, traceId: string): string => `${jaegerUrl}/trace/${traceId}`;
