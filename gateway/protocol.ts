// The WebSocket protocol between the gateway and its clients (the dashboard imports these types).
// Kept free of Node types so the browser build can import it. docs/gateway.md describes it in prose.
import type { PatternResult, WindowResult } from '../actors/results.ts';
import type { PartitionStatus } from '../transports/nats/contracts.ts';

/** A result as delivered: the node's result plus the trace id from its NATS `traceparent` header. */
export type DeliveredResult = (WindowResult | PatternResult) & { traceId?: string };

export type ClientMessage =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'unsubscribe'; topics: string[] }
  | { type: 'ping'; id?: number };

export interface NodeView {
  nodeId: string;
  host: string;
  pid: number;
  startedAt: number;
  lastSeen: number;
  /** 'gone': no heartbeat for 3 intervals; 'left': said goodbye (leaving: true). */
  state: 'up' | 'gone' | 'left';
  status: 'ok' | 'degraded';
  reasons: string[];
  partitions: number[];
  counters: { eventsProcessed: number; resultsPublished: number; dlq: number; lateEvents: number };
}

/** A partition's status as its owner last reported it (without the snapshot size). */
export interface PartitionView extends Omit<PartitionStatus, 'lastSnapshotBytes'> {
  /** The node that reported it most recently among nodes that are up; null when none does. */
  owner: string | null;
}

export interface ClusterView {
  generatedAt: number;
  heartbeatIntervalMs: number;
  nodes: NodeView[];
  partitions: PartitionView[];
  totals: { nodesUp: number; partitions: number; lag: number; restarts: number };
}

export type ServerMessage =
  | { type: 'hello'; serverTime: number; topics: string[]; batchMs: number; /** Jaeger UI base URL, for links to traces. */ jaegerUrl: string }
  /** Sent once per topic after a subscribe: the recent results, oldest first. Live `batch`es follow. */
  | { type: 'replay'; topic: string; items: DeliveredResult[] }
  /** Live results: at most one frame per topic per `gateway.batch-ms`. */
  | { type: 'batch'; topic: string; items: DeliveredResult[] }
  | { type: 'cluster'; topic: 'cluster'; view: ClusterView }
  /** To a slow client after it caught up: how many of its updates were conflated or dropped. */
  | { type: 'lagged'; conflated: number; dropped: number }
  | { type: 'pong'; id?: number; serverTime: number }
  | { type: 'error'; message: string };

export const CLUSTER_TOPIC = 'cluster';
export const ALERTS_TOPIC = 'alerts';
export const ALL_RESULTS_TOPIC = 'results';

/** Topic lists by analytic and by pattern name, made once: every result asks (thousands a second). */
const windowTopics = new Map<string, readonly string[]>();
const patternTopics = new Map<string, readonly string[]>();
const TOPIC_CACHE_MAX = 1024; // names come from the nodes' config; bounded all the same

/** The uWS topics a result is published to: its own, plus `alerts` for patterns, plus `results`. */
export function topicsOf(result: WindowResult | PatternResult): readonly string[] {
  const window = result.kind === 'window';
  const name = window ? result.analytic : result.pattern;
  const cache = window ? windowTopics : patternTopics;
  let topics = cache.get(name);
  if (topics === undefined) {
    topics = window ? [`window.${name}`, ALL_RESULTS_TOPIC] : [`pattern.${name}`, ALERTS_TOPIC, ALL_RESULTS_TOPIC];
    if (cache.size < TOPIC_CACHE_MAX) cache.set(name, topics);
  }
  return topics;
}

const TOPIC_RE = /^(results|alerts|cluster|window\.[\w.-]+|pattern\.[\w.-]+)$/;
export function isValidTopic(topic: string): boolean {
  return topic.length <= 200 && TOPIC_RE.test(topic);
}
