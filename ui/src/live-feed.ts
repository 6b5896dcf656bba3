// The WebSocket to the gateway: subscribes, reconnects with backoff, and folds incoming frames
// into the store at most once per animation frame (a burst of 100 frames costs one render).
import type { ClientMessage, ServerMessage } from '../../gateway/protocol.ts';
import { DASHBOARD_TOPICS, SESSION_ANALYTICS } from './analytics-map.ts';
import { backfillHistory } from './history.ts';
import { backoffDelay } from './lib/backoff.ts';
import { deriveMetrics } from './lib/derive.ts';
import { RecentList } from './lib/recent-list.ts';
import { WindowMerger } from './lib/window-merge.ts';
import type { PatternItem } from './store.ts';
import { useDash } from './store.ts';

const MAX_ALERTS = 200;
/** Deriving walks every merged window; 5 times a second is smooth enough for numbers and charts. */
const DERIVE_EVERY_MS = 200;

export function gatewayWsUrl(loc: Location): string {
  const token = new URLSearchParams(loc.search).get('token');
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export class LiveFeed {
  private ws: WebSocket | null = null;
  private pending: ServerMessage[] = [];
  private frameRequested = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private stopped = false;
  private readonly merger = new WindowMerger({ sessionAnalytics: SESSION_ANALYTICS });
  private readonly alerts = new RecentList<PatternItem>(MAX_ALERTS);
  private readonly seenAlertIds = new Set<string>();
  private windowsDirty = false;
  private lastDerive = 0;
  private historyLoaded = false;

  constructor(
    private readonly url: string,
    private readonly token: string | null = null,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.ws?.close();
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    useDash.setState({ connection: { status: this.attempts === 0 ? 'connecting' : 'reconnecting', retryAt: null, attempts: this.attempts } });
    ws.onopen = () => {
      this.attempts = 0;
      useDash.setState({ connection: { status: 'connected', retryAt: null, attempts: 0 } });
      const msg: ClientMessage = { type: 'subscribe', topics: DASHBOARD_TOPICS };
      ws.send(JSON.stringify(msg));
      if (!this.historyLoaded) {
        this.historyLoaded = true;
        void backfillHistory(this.merger, this.token).then((added) => {
          if (added === 0) return;
          this.windowsDirty = true;
          this.requestFrame();
        });
      }
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      try {
        this.pending.push(JSON.parse(ev.data) as ServerMessage);
      } catch {
        return;
      }
      this.requestFrame();
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      const delay = backoffDelay(this.attempts++);
      useDash.setState({ connection: { status: 'reconnecting', retryAt: Date.now() + delay, attempts: this.attempts } });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.applyPending());
  }

  /** Once per frame: merge everything that arrived, derive the numbers, one store update. */
  private applyPending(): void {
    this.frameRequested = false;
    const batch = this.pending;
    this.pending = [];
    let alertsIn: PatternItem[] = [];
    let resultsIn = 0;
    const state = useDash.getState();
    let { cluster, stats, jaegerUrl } = state;
    for (const msg of batch) {
      if (msg.type === 'batch' || msg.type === 'replay') {
        resultsIn += msg.items.length;
        for (const item of msg.items) {
          if (item.kind === 'window') this.windowsDirty = this.merger.apply(item) || this.windowsDirty;
          else alertsIn.push(item);
        }
      } else if (msg.type === 'cluster') cluster = msg.view;
      else if (msg.type === 'lagged') stats = { ...stats, conflated: msg.conflated, dropped: msg.dropped };
      else if (msg.type === 'hello') jaegerUrl = msg.jaegerUrl;
    }
    const update: Partial<typeof state> = {};
    if (jaegerUrl !== state.jaegerUrl) update.jaegerUrl = jaegerUrl;
    if (batch.length > 0) update.stats = { ...stats, resultsIn: stats.resultsIn + resultsIn, framesIn: stats.framesIn + batch.length };
    if (cluster !== state.cluster) update.cluster = cluster;
    if (this.windowsDirty) {
      const now = performance.now();
      if (now - this.lastDerive >= DERIVE_EVERY_MS) {
        this.lastDerive = now;
        this.windowsDirty = false;
        this.merger.prune();
        update.metrics = deriveMetrics(this.merger);
      } else this.requestFrame(); // derive on a later frame
    }
    alertsIn = alertsIn.filter((a) => !this.seenAlertIds.has(a.id));
    if (alertsIn.length > 0 && this.alerts.addAll(alertsIn, (a) => a.endTime)) {
      const counts = { ...state.alertCounts };
      for (const a of alertsIn) {
        this.seenAlertIds.add(a.id);
        counts[a.pattern] = (counts[a.pattern] ?? 0) + 1;
      }
      if (this.seenAlertIds.size > 50_000) this.seenAlertIds.clear(); // bounded; RecentList still de-duplicates the visible ones
      update.alerts = [...this.alerts.list()];
      update.alertCounts = counts;
    }
    if (Object.keys(update).length > 0) useDash.setState(update);
  }
}
