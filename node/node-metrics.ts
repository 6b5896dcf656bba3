// A node's metrics, as OpenTelemetry instruments served for Prometheus (`metrics.port`, see
// docs/observability.md). Per-event and per-result paths only add to plain numbers; observable
// instruments read them, and the partition status the heartbeat already polls, at scrape time. The
// one synchronous instrument is the batch-duration histogram: one record() per batch of records.
import type { Histogram, Meter } from '@opentelemetry/api';
import { PartitionActor } from '../actors/partition/partition-actor.ts';
import type { PartitionActorOptions, PartitionMsg } from '../actors/partition/partition-actor.ts';
import type { DeadLetter, DeadLetterOutput, ResultOutput } from '../actors/partition/ports.ts';
import type { AnalyticsResult } from '../actors/results.ts';
import type { PartitionStatus } from '../transports/nats/contracts.ts';
import type { SinkStatus } from '../transports/result-sink.ts';
import { DURATION_BUCKETS_S, observeCounter, observeLabelled } from '../telemetry/metrics.ts';

/** What the node already knows about itself, read at each scrape. */
export interface NodeMetricSources {
  /** Owned partitions as of the last status poll (the heartbeat's, every heartbeat.interval-ms). */
  partitions(): readonly PartitionStatus[];
  sinks(): readonly SinkStatus[];
  /** Speculative window updates sent on core NATS, and dropped while NATS was unreachable. */
  updates(): { published: number; dropped: number };
}

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

export class NodeMetrics {
  /** Events decoded and run through the analytics (late ones included). */
  eventsProcessed = 0;
  /** Events later than the allowed lateness: counted, not aggregated. */
  lateEvents = 0;
  /** Events the pattern operators ignored as behind the watermark, summed over the patterns. */
  patternLateEvents = 0;
  /** Results handed to the sinks, by kind (window, pattern). */
  readonly results = new Map<string, number>();
  /** Records sent to the dead-letter topic, by reason. */
  readonly deadLetters = new Map<string, number>();
  private readonly batchDuration: Histogram;
  private sources: NodeMetricSources = { partitions: () => [], sinks: () => [], updates: () => ({ published: 0, dropped: 0 }) };

  constructor(meter: Meter) {
    const sources: NodeMetricSources = { partitions: () => this.sources.partitions(), sinks: () => this.sources.sinks(), updates: () => this.sources.updates() };
    observeCounter(meter, 'rtap.node.events.processed', 'Events decoded and run through the analytics (late events included).', () => this.eventsProcessed);
    observeCounter(meter, 'rtap.node.events.late', 'Events later than the allowed lateness (counted, not aggregated).', () => this.lateEvents);
    observeCounter(meter, 'rtap.node.events.pattern_late', 'Events a pattern ignored because they arrived behind the watermark, once per pattern (the windows may still count them within the allowed lateness).', () => this.patternLateEvents);
    observeLabelled(meter, 'counter', 'rtap.node.results.published', 'Results handed to the sinks (NATS and InfluxDB), by kind.', 'kind', () => this.results);
    observeLabelled(meter, 'counter', 'rtap.node.dead_letters', 'Records sent to the dead-letter topic, by reason.', 'reason', () => this.deadLetters);
    observeLabelled(meter, 'gauge', 'rtap.node.consumer.lag', 'Records behind the partition\'s high watermark at the last fetch.', 'partition',
      () => sources.partitions().map((p) => [p.partition, p.lag] as const));
    observeLabelled(meter, 'gauge', 'rtap.node.mailbox.depth', 'Record batches queued for the partition actor.', 'partition',
      () => sources.partitions().map((p) => [p.partition, p.mailboxDepth] as const));
    meter.createObservableGauge('rtap.node.partitions', { description: 'Partitions this node owns.' }).addCallback((r) => r.observe(sources.partitions().length));
    observeLabelled(meter, 'gauge', 'rtap.node.sink.buffered', 'Results (dead letters for dlq) accepted by a sink and not yet acknowledged downstream.', 'sink',
      () => sources.sinks().map((s) => [s.name, s.buffered] as const));
    observeLabelled(meter, 'counter', 'rtap.node.sink.delivered', 'Items acknowledged downstream, per sink.', 'sink',
      () => sources.sinks().map((s) => [s.name, s.delivered] as const));
    observeLabelled(meter, 'counter', 'rtap.node.sink.retries', 'Failed sends retried, per sink.', 'sink',
      () => sources.sinks().map((s) => [s.name, s.retries] as const));
    observeLabelled(meter, 'counter', 'rtap.node.updates', 'Speculative window updates: published on core NATS, or dropped while NATS was unreachable (superseded by the next).', 'outcome',
      () => Object.entries(sources.updates()));
    this.batchDuration = meter.createHistogram('rtap.node.batch.duration_seconds', {
      description: 'Time a partition actor takes for one batch of records: decode, analytics, results to the sinks, and waiting for the sinks when they are full.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
    });
  }

  /** Where the partition and sink gauges come from (the node wires them once they exist). */
  observe(sources: NodeMetricSources): void {
    this.sources = sources;
  }

  /** One batch of records handled by a partition actor. */
  batch(seconds: number, processed: number, late: number, patternLate: number): void {
    this.batchDuration.record(seconds);
    this.eventsProcessed += processed;
    this.lateEvents += late;
    this.patternLateEvents += patternLate;
  }

  /** Counts results by kind on their way to the sinks. */
  countResults(inner: ResultOutput): ResultOutput {
    return {
      offer: (result: AnalyticsResult, traceparent?: string) => {
        increment(this.results, result.kind);
        return inner.offer(result, traceparent);
      },
      flush: () => inner.flush(),
    };
  }

  /** Counts dead letters by reason on their way to the DLQ. */
  countDeadLetters(inner: DeadLetterOutput): DeadLetterOutput {
    return {
      send: (letter: DeadLetter) => {
        increment(this.deadLetters, letter.reason);
        inner.send(letter);
      },
      flush: () => inner.flush(),
    };
  }

  /** Builds partition actors that report each batch of records (KafkaBridgeOptions.createActor). */
  actorFactory(): (options: PartitionActorOptions) => PartitionActor {
    return (options) => new MeasuredPartitionActor(options, this);
  }
}

/**
 * A PartitionActor that times each 'records' message (until its receive settles) and reports how
 * many events it processed and found late (for the windows, and for the patterns), from the actor's
 * own counters. A restarted actor is a new instance whose counters start at 0 again, like `seen` here.
 */
class MeasuredPartitionActor extends PartitionActor {
  private seenProcessed = 0;
  private seenLate = 0;
  private seenPatternLate = 0;

  constructor(options: PartitionActorOptions, private readonly metrics: NodeMetrics) {
    super(options);
  }

  override async receive(msg: PartitionMsg): Promise<void> {
    if (msg.type !== 'records') return super.receive(msg);
    const started = performance.now();
    try {
      await super.receive(msg);
    } finally {
      const s = this.state();
      this.metrics.batch((performance.now() - started) / 1000, s.processed - this.seenProcessed, s.late - this.seenLate, s.patternLate - this.seenPatternLate);
      this.seenProcessed = s.processed;
      this.seenLate = s.late;
      this.seenPatternLate = s.patternLate;
    }
  }
}
