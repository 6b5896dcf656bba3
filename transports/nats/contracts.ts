// What travels on NATS between actor nodes and the gateway: subjects, stream names, payloads.
// Nodes publish; the gateway (and any other consumer) subscribes. JSON payloads, UTF-8.

import type { AnalyticsResult } from '../../actors/results.ts';
import type { StreamSpec } from './ensure-stream.ts';

/**
 * JetStream stream holding every result: a message is one result, or a JSON array of the final
 * results of one window of one partition (NatsResultSink). Its `Nats-Msg-Id` is made of the result ids, so re-emitted
 * results are dropped.
 */
export const RESULTS_STREAM = 'RTAP_RESULTS';
export const RESULTS_SUBJECTS = 'rtap.results.>';
/** Default duplicate window of RESULTS_STREAM: longer than the longest replay after a crash. Nodes
 * (`nats.duplicate-window-ms`) and the gateway create the stream alike, whoever starts first. */
export const RESULTS_DUPLICATE_WINDOW_MS = 600_000;
/**
 * Limits of RESULTS_STREAM. It is a delivery buffer, not a store: the gateway reads it from "new"
 * and history comes from InfluxDB, so it keeps an hour or 1 GiB, whichever is less, dropping the
 * oldest (a busy cluster writes gigabytes a day; unbounded, the stream fills NATS's disk and every
 * publish then fails). De-duplication does not depend on the messages kept: NATS remembers the ids
 * for the duplicate window whatever the limits drop.
 */
export const RESULTS_MAX_AGE_MS = 3_600_000;
export const RESULTS_MAX_BYTES = 1024 ** 3;

/** The stream spec nodes and the gateway ensure alike (ensureStream). */
export const resultsStreamSpec = (duplicateWindowMs: number): StreamSpec => ({
  name: RESULTS_STREAM,
  subjects: [RESULTS_SUBJECTS],
  duplicateWindowMs,
  maxAgeMs: RESULTS_MAX_AGE_MS,
  maxBytes: RESULTS_MAX_BYTES,
});

/** `rtap.results.window.<analytic>` or `rtap.results.pattern.<pattern>` */
export function resultSubject(result: AnalyticsResult): string {
  return result.kind === 'window' ? `rtap.results.window.${result.analytic}` : `rtap.results.pattern.${result.pattern}`;
}

/**
 * Core NATS (not persisted): speculative 'update' results of open windows,
 * `rtap.updates.window.<analytic>`, each message one or more WindowResults, one JSON object per line
 * (updatesPayload), so a consumer can pass each result's text on without serializing it again.
 * Outside RESULTS_SUBJECTS on purpose: they are superseded within milliseconds, need no
 * de-duplication and must not fill the stream.
 */
export const UPDATES_SUBJECTS = 'rtap.updates.>';
export const updateSubject = (analytic: string): string => `rtap.updates.window.${analytic}`;

/** An updates message: one JSON object per line (JSON text never holds a raw newline). */
export const updatesPayload = (updates: readonly AnalyticsResult[]): string => updates.map((u) => JSON.stringify(u)).join('\n');

/**
 * The JSON texts of an updates message's results, in order. Nodes released before the line format
 * sent one JSON array; it is still read, so gateways can be upgraded before the nodes.
 */
export function updatesLines(payload: string): string[] {
  if (payload.startsWith('[')) return (JSON.parse(payload) as unknown[]).map((result) => JSON.stringify(result));
  return payload.split('\n');
}

/** Core NATS (not persisted): each node's presence, every `heartbeatIntervalMs`. */
export const HEARTBEAT_SUBJECT_PREFIX = 'rtap.cluster.heartbeat';
export const heartbeatSubject = (nodeId: string): string => `${HEARTBEAT_SUBJECT_PREFIX}.${nodeId}`;

export interface PartitionStatus {
  partition: number;
  /** Next offset to process. */
  offset: number;
  /** High watermark minus offset, at the last fetch. */
  lag: number;
  /** Event-time watermark (ms), or null before the first event. */
  watermark: number | null;
  mailboxDepth: number;
  restarts: number;
  /** Paused by backpressure (mailbox above its high-water mark). */
  paused: boolean;
  lastSnapshotAt: number | null;
  lastSnapshotBytes: number | null;
}

export interface NodeHeartbeat {
  nodeId: string;
  /**
   * The node's input topic: a gateway's cluster view holds the nodes of its own pipeline (several
   * pipelines may share one NATS). Absent from nodes older than this field: counted in every view.
   */
  topic?: string;
  pid: number;
  host: string;
  startedAt: number;
  sentAt: number;
  /** 'ok', or 'degraded' with reasons (e.g. "influxdb unreachable, 1200 points buffered"). */
  status: 'ok' | 'degraded';
  reasons: string[];
  partitions: PartitionStatus[];
  counters: { eventsProcessed: number; resultsPublished: number; dlq: number; lateEvents: number };
  /** The node stops sending when it shuts down cleanly; it sends `leaving: true` once before. */
  leaving?: boolean;
}

/** Whether a heartbeat is from a node of the pipeline reading `topic` (one without a topic counts in any). */
export function ofPipeline(hb: NodeHeartbeat, topic: string): boolean {
  return hb.topic === undefined || hb.topic === topic;
}

/** Header that carries W3C trace context across NATS (same name as HTTP). */
export const TRACEPARENT_HEADER = 'traceparent';
