// The dashboard's state. Written at most once per animation frame by the live feed; components
// select narrow slices, so a new alert does not re-render the cluster table and vice versa.
import { create } from 'zustand';
import type { ClusterView, DeliveredResult } from '../../gateway/protocol.ts';
import type { DashboardMetrics } from './lib/derive.ts';

export type PatternItem = Extract<DeliveredResult, { kind: 'pattern' }>;

export interface ConnectionState {
  status: 'connecting' | 'connected' | 'reconnecting';
  /** When reconnecting: when the next attempt starts (ms epoch). */
  retryAt: number | null;
  attempts: number;
}

export interface DashState {
  connection: ConnectionState;
  metrics: DashboardMetrics;
  alerts: readonly PatternItem[];
  alertCounts: Readonly<Record<string, number>>;
  cluster: ClusterView | null;
  stats: { resultsIn: number; framesIn: number; conflated: number; dropped: number };
  /** Where alert trace links point (the gateway's `gateway.jaeger-url`, sent in its hello). */
  jaegerUrl: string;
}

export const emptyMetrics: DashboardMetrics = {
  pageViews: { perSecond: 0, series: [], topPages: [], total: 0 },
  activeUsers: { current: 0, series: [] },
  sessions: { count: 0, avgDurationMs: 0, pagesPerSession: 0 },
  conversions: { conversions: 0, revenue: 0, rate: 0, series: [] },
};

export const useDash = create<DashState>()(() => ({
  connection: { status: 'connecting', retryAt: null, attempts: 0 },
  metrics: emptyMetrics,
  alerts: [],
  alertCounts: {},
  cluster: null,
  stats: { resultsIn: 0, framesIn: 0, conflated: 0, dropped: 0 },
  jaegerUrl: 'http://127.0.0.1:16686',
}));
