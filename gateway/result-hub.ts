// Fans results out to WebSocket clients. Fast path: one uWS publish per topic per flush (uWS writes
// the same frame to every subscriber in C++). A client whose send buffer grows past
// `slowClientBytes` is unsubscribed from its uWS topics and gets a conflating queue instead,
// flushed when its buffer drains; then it rejoins the fast path. Slow clients thus never hold up
// the others, and what they miss is counted.
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { AnalyticsResult } from '../actors/results.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { ClusterTracker } from './cluster-view.ts';
import type { ClientMessage, DeliveredResult, ServerMessage } from './protocol.ts';
import { ALERTS_TOPIC, ALL_RESULTS_TOPIC, CLUSTER_TOPIC, isValidTopic, topicsOf } from './protocol.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { SlowClientQueue, queueKeys } from './slow-client-queue.ts';
import { Outgoing, TopicBatcher, batchFrame } from './topic-batcher.ts';

export interface ClientData {
  id: number;
  remote: string;
  connectedAt: number;
  topics: Set<string>;
  /** Non-null while the client is off the fast path. */
  slow: SlowClientQueue | null;
  conflated: number;
  dropped: number;
  slowEpisodes: number;
}

export interface ClientInfo {
  id: number;
  remote: string;
  connectedAt: number;
  topics: string[];
  slow: boolean;
  bufferedBytes: number;
  conflated: number;
  dropped: number;
  slowEpisodes: number;
}

type Ws = WebSocket<ClientData>;

/** A traced result's fan-out span (an OpenTelemetry Span fits): open until its frames have left. */
export interface FanoutSpan {
  setAttribute(key: string, value: number): unknown;
  end(): void;
}

export class ResultHub {
  private readonly clients = new Set<Ws>();
  /** The clients off the fast path: a flush visits only these for their queues. */
  private readonly slowClients = new Set<Ws>();
  private readonly rings = new Map<string, ReplayBuffer>();
  private readonly batcher: TopicBatcher<Outgoing>;
  /** Fan-out spans of the results waiting for the next flush. */
  private openSpans: { span: FanoutSpan; result: AnalyticsResult }[] = [];
  private nextId = 1;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushImmediate: NodeJS.Immediate | undefined;
  /** After stop(): results still arriving while NATS drains are not sent. */
  private stopped = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly app: TemplatedApp,
    private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly cluster: ClusterTracker,
  ) {
    this.batcher = new TopicBatcher(config.batchMax);
    this.timers.push(setInterval(() => this.publishCluster(), Math.min(1000, config.heartbeatIntervalMs)));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.flush();
    this.stopped = true;
  }

  newClientData(remote: string): ClientData {
    return { id: this.nextId++, remote, connectedAt: Date.now(), topics: new Set(), slow: null, conflated: 0, dropped: 0, slowEpisodes: 0 };
  }

  /**
   * `span`: the result's fan-out span, ended by the flush that sends its frames (so it covers the
   * batching wait and the publish), with `rtap.frames`: the frames that carried it (one per fast-path client of each of its topics).
   * `json`: the result's JSON text as it arrived, sent as it is unless a trace id is added to it.
   */
  onResult(result: AnalyticsResult, traceId: string | undefined, span?: FanoutSpan, json?: string): void {
    this.metrics.natsResultsIn++;
    const out = traceId ? new Outgoing({ ...result, traceId }) : new Outgoing(result, json);
    let full = false;
    for (const topic of topicsOf(result)) full = this.batcher.add(topic, out) || full;
    if (span) {
      if (this.stopped) span.end();
      else this.openSpans.push({ span, result });
    }
    this.scheduleFlush(full);
  }

  /**
   * One frame per topic at most every batchMs: at once (after the current burst of NATS messages)
   * when the last frames left batchMs ago or more, so a quiet stream's results are not held back;
   * otherwise batchMs after them. A full batch does not wait.
   */
  private scheduleFlush(full: boolean): void {
    if (this.flushImmediate || this.stopped) return;
    if (full || performance.now() - this.lastFlushAt >= this.config.batchMs) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.flushImmediate = setImmediate(() => this.flush());
    } else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.lastFlushAt + this.config.batchMs - performance.now());
    }
  }

  open(ws: Ws): void {
    this.clients.add(ws);
    this.metrics.clientsConnected = this.clients.size;
    this.send(ws, { type: 'hello', serverTime: Date.now(), topics: this.knownTopics(), batchMs: this.config.batchMs, jaegerUrl: this.config.jaegerUrl });
  }

  close(ws: Ws): void {
    this.setSlow(ws, false);
    this.clients.delete(ws);
    this.metrics.clientsConnected = this.clients.size;
  }

  message(ws: Ws, data: ArrayBuffer): void {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(Buffer.from(data).toString('utf8')) as ClientMessage;
    } catch {
      this.send(ws, { type: 'error', message: 'messages must be JSON' });
      return;
    }
    if (msg.type === 'ping') {
      this.send(ws, { type: 'pong', id: msg.id, serverTime: Date.now() });
      return;
    }
    if ((msg.type !== 'subscribe' && msg.type !== 'unsubscribe') || !Array.isArray(msg.topics)) {
      this.send(ws, { type: 'error', message: 'expected {"type":"subscribe"|"unsubscribe","topics":[...]}' });
      return;
    }
    const bad = msg.topics.filter((t) => typeof t !== 'string' || !isValidTopic(t));
    if (bad.length > 0) this.send(ws, { type: 'error', message: `unknown topic(s): ${bad.map(String).join(', ')}` });
    const topics = msg.topics.filter((t) => typeof t === 'string' && isValidTopic(t));
    if (msg.type === 'subscribe') this.subscribe(ws, topics);
    else this.unsubscribe(ws, topics);
  }

  /** Replay first, then live: the ring only holds results already published, so nothing repeats. */
  subscribe(ws: Ws, topics: string[]): void {
    const d = ws.getUserData();
    const now = Date.now();
    ws.cork(() => {
      for (const topic of topics) {
        if (d.topics.has(topic)) continue;
        d.topics.add(topic);
        if (topic === CLUSTER_TOPIC) {
          this.send(ws, { type: 'cluster', topic: CLUSTER_TOPIC, view: this.cluster.view(now) });
          ws.subscribe(topic);
          continue;
        }
        const replay = this.rings.get(topic)?.snapshot(now) ?? [];
        if (d.slow) {
          d.slow.add(topic, replay);
          continue;
        }
        this.send(ws, { type: 'replay', topic, items: replay });
        this.metrics.replayFramesSent++;
        ws.subscribe(topic);
      }
    });
  }

  unsubscribe(ws: Ws, topics: string[]): void {
    const d = ws.getUserData();
    for (const topic of topics) {
      d.topics.delete(topic);
      ws.unsubscribe(topic);
    }
  }

  /** uWS drain: the client's buffer shrank; a slow client may catch up now. */
  drain(ws: Ws): void {
    if (ws.getUserData().slow) this.tryCatchUp(ws);
  }

  flush(): void {
    clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlushAt = performance.now();
    const batches = this.batcher.drain();
    if (batches.size > 0) {
      // Move clients off the fast path *before* publishing, so a publish never piles onto them.
      for (const ws of this.clients) {
        if (!ws.getUserData().slow && ws.getBufferedAmount() > this.config.slowClientBytes) this.goSlow(ws);
      }
      const now = Date.now();
      for (const [topic, batch] of batches) {
        let ring = this.rings.get(topic);
        if (!ring) this.rings.set(topic, (ring = new ReplayBuffer(this.config.replayMax, this.config.replayMs)));
        for (const o of batch) ring.push(o.item, now, o.key);
        const subscribers = this.app.numSubscribers(topic);
        if (subscribers > 0) {
          this.app.publish(topic, batchFrame(topic, batch));
          this.metrics.framesSent += subscribers;
          this.metrics.resultsSent += subscribers * batch.length;
        }
        // Each item's queue key once per flush, however many slow clients conflate it.
        let items: DeliveredResult[] | undefined;
        let slowKeys: string[] | undefined;
        for (const ws of this.slowClients) {
          const d = ws.getUserData();
          if (d.slow && d.topics.has(topic)) {
            items ??= batch.map((o) => o.item);
            const { conflated, dropped } = d.slow.add(topic, items, (slowKeys ??= queueKeys(topic, batch.map((o) => o.key))));
            d.conflated += conflated;
            d.dropped += dropped;
            this.metrics.resultsConflated += conflated;
            this.metrics.resultsDropped += dropped;
          }
        }
      }
    }
    // Before catch-up, which may put clients back on the fast path.
    this.endSpans();
    for (const ws of this.slowClients) this.tryCatchUp(ws);
  }

  private endSpans(): void {
    if (this.openSpans.length === 0) return;
    // Each of the result's topics went out as one frame per fast-path subscriber.
    for (const { span, result } of this.openSpans) {
      span.setAttribute('rtap.frames', topicsOf(result).reduce((n, topic) => n + this.app.numSubscribers(topic), 0));
      span.end();
    }
    this.openSpans = [];
  }

  clientInfo(): ClientInfo[] {
    return [...this.clients].map((ws) => {
      const d = ws.getUserData();
      return {
        id: d.id,
        remote: d.remote,
        connectedAt: d.connectedAt,
        topics: [...d.topics],
        slow: d.slow !== null,
        bufferedBytes: ws.getBufferedAmount(),
        conflated: d.conflated,
        dropped: d.dropped,
        slowEpisodes: d.slowEpisodes,
      };
    });
  }

  replaySizes(): Map<string, number> {
    const now = Date.now();
    const sizes = new Map<string, number>();
    for (const [topic, ring] of this.rings) {
      ring.expire(now);
      sizes.set(topic, ring.size);
    }
    return sizes;
  }

  closeAll(code: number, reason: string): void {
    for (const ws of [...this.clients]) ws.end(code, reason);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private knownTopics(): string[] {
    return [CLUSTER_TOPIC, ALERTS_TOPIC, ALL_RESULTS_TOPIC, ...[...this.rings.keys()].filter((t) => t !== ALERTS_TOPIC && t !== ALL_RESULTS_TOPIC).sort()];
  }

  private goSlow(ws: Ws): void {
    const d = ws.getUserData();
    d.slow = new SlowClientQueue(this.config.slowClientPending);
    d.slowEpisodes++;
    this.setSlow(ws, true);
    // The cluster view is one small frame a second: it stays on the fast path.
    for (const topic of d.topics) if (topic !== CLUSTER_TOPIC) ws.unsubscribe(topic);
  }

  private tryCatchUp(ws: Ws): void {
    const d = ws.getUserData();
    if (!d.slow || ws.getBufferedAmount() > this.config.slowClientBytes / 2) return;
    const pending = d.slow.take();
    d.slow = null;
    this.setSlow(ws, false);
    // Pending results, then rejoin the topics, in one synchronous step: no gap, no repeat.
    ws.cork(() => {
      for (const { topic, items } of pending) {
        this.send(ws, { type: 'batch', topic, items });
        this.metrics.resultsSent += items.length;
      }
      if (d.conflated > 0 || d.dropped > 0) this.send(ws, { type: 'lagged', conflated: d.conflated, dropped: d.dropped });
      for (const topic of d.topics) ws.subscribe(topic);
    });
  }

  /** Keeps the set of slow clients and its gauge together. */
  private setSlow(ws: Ws, slow: boolean): void {
    if (slow) this.slowClients.add(ws);
    else this.slowClients.delete(ws);
    this.metrics.clientsSlow = this.slowClients.size;
  }

  private send(ws: Ws, msg: ServerMessage): void {
    ws.send(JSON.stringify(msg));
    this.metrics.framesSent++;
  }

  private publishCluster(): void {
    if (this.app.numSubscribers(CLUSTER_TOPIC) === 0) return;
    const msg: ServerMessage = { type: 'cluster', topic: CLUSTER_TOPIC, view: this.cluster.view(Date.now()) };
    this.metrics.framesSent += this.app.numSubscribers(CLUSTER_TOPIC);
    this.app.publish(CLUSTER_TOPIC, JSON.stringify(msg));
  }
}
