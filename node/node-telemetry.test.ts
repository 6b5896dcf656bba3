// The node's tracing and metrics around real partition actors (in memory): phase spans of traced
// records, always-sampled alerts, dead letters and handler errors, and the metric counters.
import { expect } from 'chai';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ActorSystem, MemorySnapshotStore, Supervision, silentLogger, type ActorRef } from '../runtime/index.ts';
import { AnalyticsEngine, withPatterns } from '../actors/engine/index.ts';
import { EventCodec, type RtapEvent } from '../actors/events/index.ts';
import { PartitionActor, type CheckpointOutcome, type PartitionActorOptions, type PartitionMsg, type PartitionState } from '../actors/partition/partition-actor.ts';
import type { DeadLetter, PartitionPorts, SourceRecord } from '../actors/partition/ports.ts';
import type { AnalyticsResult } from '../actors/results.ts';
import { generateEvents } from '../actors/testkit/index.ts';
import { RtapSampler, traceIdOf } from '../telemetry/index.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { NodeMetrics } from './node-metrics.ts';
import { PHASE_SPANS } from './record-tracer.ts';
import { instrumentPorts, traceAlerts, traceDeadLetters } from './traced-ports.ts';

const codec = new EventCodec();
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const traceparentOf = (offset: number, sampled: boolean): string => `00-${hex(offset + 1, 32)}-${hex(offset + 1, 16)}-${sampled ? '01' : '00'}`;

function decodes(value: Uint8Array | null): boolean {
  try {
    codec.decode(value!);
    return true;
  } catch {
    return false;
  }
}

/** A generated stream of one partition with bad records; every 100th record carries a sampled trace context. */
function input(count: number): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const item of generateEvents({ seed: 5, partitions: 1, users: 40, count, badRatio: 0.01, eventsPerSecond: 10 })) {
    // Bad records that decode (far-future times) are judged against the wall clock here: left out.
    if (item.kind === 'bad' && decodes(item.bytes)) continue;
    const record: SourceRecord = { offset: item.offset, value: item.kind === 'event' ? codec.encode(item.event) : item.bytes };
    if (item.offset % 100 === 0) record.traceparent = traceparentOf(item.offset, true);
    out.push(record);
  }
  return out;
}

function provider(): { tracer: Tracer; exporter: InMemorySpanExporter; shutdown(): Promise<void> } {
  const exporter = new InMemorySpanExporter();
  // Ratio 0: only what is continued from a sampled parent or forced (rtap.sample) is recorded.
  const p = new TracerProvider({ sampler: new RtapSampler(0), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { tracer: p.getTracer('rtap'), exporter, shutdown: () => p.shutdown() };
}

class Outputs {
  readonly offered: { result: AnalyticsResult; traceparent: string | undefined }[] = [];
  readonly letters: DeadLetter[] = [];
  results = {
    offer: (result: AnalyticsResult, traceparent?: string): boolean => {
      this.offered.push({ result, traceparent });
      return true;
    },
    flush: async (): Promise<void> => undefined,
  };
  deadLetters = { send: (l: DeadLetter): void => void this.letters.push(l), flush: async (): Promise<void> => undefined };
}

async function run(
  records: SourceRecord[], ports: Pick<PartitionPorts, 'results' | 'deadLetters' | 'tracer'>,
  opts: { poison?: string; createActor?: (o: PartitionActorOptions) => PartitionActor } = {},
): Promise<void> {
  const system = new ActorSystem({ logger: silentLogger });
  let epoch = 0;
  const actor: { ref?: ActorRef<PartitionMsg> } = {};
  const full: PartitionPorts = {
    ...ports, snapshots: new MemorySnapshotStore(3), failures: new Map(),
    // Like the bridge: every seek (start, restart after a failure) delivers the records from there on.
    source: {
      seek: (_p, offset) => {
        const e = ++epoch;
        const from = records.filter((r) => r.offset >= (offset ?? 0));
        setImmediate(() => {
          for (let i = 0; i < from.length; i += 500) actor.ref!.tell({ type: 'records', epoch: e, records: from.slice(i, i + 500) });
        });
        return e;
      },
      commit: async () => undefined,
    },
  };
  const createEngine = (partition: number): AnalyticsEngine => {
    const engine = new AnalyticsEngine({ partition, operators: withPatterns() });
    if (opts.poison !== undefined) {
      const process = engine.process.bind(engine);
      engine.process = (event: RtapEvent, offset: number, phases) => {
        if (event.eventId === opts.poison) throw new Error('handler bug');
        return process(event, offset, phases);
      };
    }
    return engine;
  };
  const options: PartitionActorOptions = {
    partition: 0, snapshotId: 'events-0', createEngine, codec, ports: full,
    checkpointIntervalMs: 60_000, tickIntervalMs: 60_000, updateIntervalMs: 0, maxFailures: 2, keepSnapshots: 2, revokeTimeoutMs: 5_000,
  };
  const ref = (actor.ref = system.spawn(() => (opts.createActor ?? ((o) => new PartitionActor(o)))(options), {
    name: 'p0', supervision: Supervision.restart({ maxRestarts: 10, withinMs: 60_000, backoff: { minMs: 5, maxMs: 5, randomFactor: 0 } }),
  }));
  const last = records[records.length - 1]!.offset;
  for (let i = 0; i < 1_000; i++) {
    const state = await ref.ask<PartitionState>((replyTo) => ({ type: 'status', replyTo }), 5_000).catch(() => undefined);
    if (state !== undefined && state.nextOffset > last) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }), 30_000);
  await system.terminate();
}

const byId = (spans: ReadableSpan[]): Map<string, ReadableSpan> => new Map(spans.map((s) => [s.spanContext().spanId, s]));

describe('node tracing around partition actors', () => {
  it('a traced record: partition.process with decode, window.update, pattern.match children; the others record nothing', async () => {
    const { tracer, exporter, shutdown } = provider();
    const out = new Outputs();
    const records = input(3_000);
    await run(records, instrumentPorts(out, tracer, undefined));
    const spans = exporter.getFinishedSpans();
    const processSpans = spans.filter((s) => s.name === 'partition.process');
    const traced = records.filter((r) => r.traceparent !== undefined);
    expect(processSpans).to.have.length(traced.length);
    const spansById = byId(spans);
    const decodable = traced.filter((r) => decodes(r.value)).length; // a bad record stops at decode (and is dead-lettered)
    expect(decodable).to.be.within(traced.length - 3, traced.length - 1);
    const expected = { [PHASE_SPANS.decode]: traced.filter((r) => r.value !== null).length, [PHASE_SPANS.windows]: decodable, [PHASE_SPANS.patterns]: decodable };
    for (const [name, count] of Object.entries(expected)) {
      const phase = spans.filter((s) => s.name === name);
      expect(phase.length, name).to.equal(count);
      for (const s of phase) expect(spansById.get(s.parentSpanContext!.spanId)!.name).to.equal('partition.process');
    }
    expect(spans.filter((s) => s.name === 'decode' && s.status.code === SpanStatusCode.ERROR).length).to.equal(traced.length - decodable - (traced.length - expected.decode!));
    // Each partition.process continues its record's producer trace.
    for (const s of processSpans) expect(traced.map((r) => traceIdOf(r.traceparent))).to.include(s.spanContext().traceId);
    // Nothing for untraced records except the always-sampled alerts and dead letters.
    const names = new Set(spans.map((s) => s.name));
    expect([...names].sort()).to.include.members(['decode', 'partition.process', 'pattern.match', 'window.update']);
    for (const n of names) expect(['decode', 'partition.process', 'pattern.match', 'window.update', 'watermark.advance', 'pattern.alert', 'dead-letter']).to.include(n);
    await shutdown();
  });

  it('every pattern alert gets a sampled pattern.alert span whose context travels with it; window results keep theirs', async () => {
    const { tracer, exporter, shutdown } = provider();
    const out = new Outputs();
    await run(input(3_000), instrumentPorts(out, tracer, undefined));
    const alerts = exporter.getFinishedSpans().filter((s) => s.name === 'pattern.alert');
    const patterns = out.offered.filter((o) => o.result.kind === 'pattern');
    expect(patterns.length).to.be.greaterThan(0);
    expect(alerts).to.have.length(patterns.length);
    const alertIds = new Set(alerts.map((s) => s.spanContext().spanId));
    for (const { result, traceparent } of patterns) {
      expect(traceparent, result.id).to.match(/-01$/); // sampled
      expect(alertIds.has(traceparent!.split('-')[2]!)).to.equal(true);
    }
    const alert = alerts.find((s) => s.attributes['rtap.result.id'] === patterns[0]!.result.id)!;
    expect(alert.attributes).to.include({ 'rtap.sample': true, 'rtap.pattern': (patterns[0]!.result as { pattern: string }).pattern });
    // Window results of untraced records still carry nothing.
    expect(out.offered.filter((o) => o.result.kind === 'window' && o.traceparent === undefined).length).to.be.greaterThan(0);
    await shutdown();
  });

  it('with tracing.alerts off, only the alerts of sampled records get a pattern.alert span', async () => {
    const { tracer, exporter, shutdown } = provider();
    const out = new Outputs();
    const alerts = traceAlerts(out.results, tracer, false);
    const alert = (id: string): AnalyticsResult => ({ kind: 'pattern', id, pattern: 'funnel', status: 'matched', key: 'u1', partition: 0, offsets: [1] }) as unknown as AnalyticsResult;
    const sampled = traceparentOf(7, true);
    const unsampled = traceparentOf(8, false);
    alerts.offer(alert('a'), undefined);
    alerts.offer(alert('b'), unsampled);
    alerts.offer(alert('c'), sampled);
    expect(out.offered.slice(0, 2).map((o) => o.traceparent), 'untraced alerts pass unchanged').to.deep.equal([undefined, unsampled]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes['rtap.result.id']])).to.deep.equal([['pattern.alert', 'c']]);
    expect(spans[0]!.parentSpanContext?.spanId).to.equal(sampled.split('-')[2]);
    expect(out.offered[2]!.traceparent).to.equal(`00-${spans[0]!.spanContext().traceId}-${spans[0]!.spanContext().spanId}-01`);
    await shutdown();
  });

  it('every dead letter gets a sampled dead-letter span with ERROR status and the reason, in its record\'s trace when it had one', async () => {
    const { tracer, exporter, shutdown } = provider();
    const out = new Outputs();
    const records = input(3_000);
    // One bad record carries an unsampled context: its dead-letter span still joins that trace id.
    const bad = records.find((r) => r.offset % 100 !== 0 && !decodes(r.value))!;
    bad.traceparent = traceparentOf(bad.offset, false);
    await run(records, instrumentPorts(out, tracer, undefined));
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'dead-letter');
    expect(out.letters.length).to.be.greaterThan(0);
    expect(spans).to.have.length(out.letters.length);
    for (const s of spans) {
      expect(s.status.code).to.equal(SpanStatusCode.ERROR);
      expect(s.attributes['rtap.dlq.reason']).to.be.a('string');
    }
    const ofBad = spans.find((s) => s.attributes['messaging.kafka.offset'] === bad.offset)!;
    expect(ofBad.spanContext().traceId).to.equal(traceIdOf(bad.traceparent));
    // The letter leaves with the dead-letter span's context (for the DLQ record's traceparent header).
    for (const l of out.letters) expect(spans.map((s) => s.spanContext().spanId)).to.include(l.traceparent!.split('-')[2]);
    expect(traceIdOf(out.letters.find((l) => l.offset === bad.offset)!.traceparent)).to.equal(traceIdOf(bad.traceparent));
    await shutdown();
  });

  it('a record that makes the handler throw gets a sampled handler.error span each time, then a dead-letter span', async () => {
    const { tracer, exporter, shutdown } = provider();
    const out = new Outputs();
    const records = input(600).map(({ traceparent: _t, ...r }) => r); // nothing traced
    const poison = codec.decode(records.find((r) => r.offset === 250)!.value!).eventId;
    await run(records, instrumentPorts(out, tracer, undefined), { poison });
    const spans = exporter.getFinishedSpans();
    const errors = spans.filter((s) => s.name === 'handler.error');
    expect(errors).to.have.length(2); // maxFailures
    expect(errors[0]!.status).to.include({ code: SpanStatusCode.ERROR, message: 'handler bug' });
    expect(errors[0]!.events.map((e) => e.name)).to.include('exception');
    expect(spans.some((s) => s.name === 'dead-letter' && s.attributes['rtap.dlq.reason'] === 'handler-failed')).to.equal(true);
    await shutdown();
  });

  it('the decorators pass results and letters through unchanged apart from the traceparent', () => {
    const { tracer } = provider();
    const out = new Outputs();
    const alerts = traceAlerts(out.results, tracer);
    const window = { kind: 'window', id: 'w' } as AnalyticsResult;
    alerts.offer(window, 'tp');
    expect(out.offered[0]).to.deep.equal({ result: window, traceparent: 'tp' });
    const letters = traceDeadLetters(out.deadLetters, tracer);
    const letter: DeadLetter = { partition: 1, offset: 2, value: null, reason: 'undecodable', detail: 'x' };
    letters.send(letter);
    const { traceparent, ...rest } = out.letters[0]!;
    expect(rest).to.deep.equal(letter);
    expect(traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/); // the dead-letter span's
  });
});

describe('node metrics', () => {
  it('counts events, late events, results by kind, dead letters by reason, updates by outcome and times batches; gauges read the sources', async () => {
    const metrics = createMetrics({ serviceName: 'rtap-node' });
    const node = new NodeMetrics(metrics.meter);
    const out = new Outputs();
    const records = input(3_000);
    await run(records, instrumentPorts(out, undefined, node), { createActor: node.actorFactory() });
    node.observe({
      partitions: () => [{ partition: 0, offset: 3_000, lag: 42, watermark: 0, mailboxDepth: 3, restarts: 0, paused: false, lastSnapshotAt: null, lastSnapshotBytes: null }],
      sinks: () => [{ name: 'nats', healthy: true, buffered: 7, delivered: 100, retries: 1 }],
      updates: () => ({ published: 250, dropped: 4 }),
    });
    const text = await metrics.scrape();
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    const decodable = records.filter((r) => decodes(r.value)).length;
    expect(value('rtap_node_events_processed_total')).to.equal(decodable);
    expect(value('rtap_node_events_late_total')).to.be.at.least(0);
    // What an engine alone counts on the same records: the patterns ignore the events behind the watermark.
    const engine = new AnalyticsEngine({ partition: 0, operators: withPatterns() });
    for (const r of records) if (r.value !== null && decodes(r.value)) engine.process(codec.decode(r.value), r.offset);
    expect(engine.lateDroppedByOperators()).to.be.greaterThan(0);
    expect(value('rtap_node_events_pattern_late_total')).to.equal(engine.lateDroppedByOperators());
    expect(value('rtap_node_results_published_total{kind="window"}')).to.equal(out.offered.filter((o) => o.result.kind === 'window').length);
    expect(value('rtap_node_results_published_total{kind="pattern"}')).to.equal(out.offered.filter((o) => o.result.kind === 'pattern').length);
    const reasons = new Map<string, number>();
    for (const l of out.letters) reasons.set(l.reason, (reasons.get(l.reason) ?? 0) + 1);
    expect(reasons.size).to.be.greaterThan(0);
    for (const [reason, n] of reasons) expect(value(`rtap_node_dead_letters_total{reason="${reason}"}`)).to.equal(n);
    expect(value('rtap_node_batch_duration_seconds_count')).to.equal(Math.ceil(records.length / 500));
    expect(value('rtap_node_batch_duration_seconds_sum')).to.be.greaterThan(0);
    expect(value('rtap_node_consumer_lag{partition="0"}')).to.equal(42);
    expect(value('rtap_node_mailbox_depth{partition="0"}')).to.equal(3);
    expect(value('rtap_node_partitions')).to.equal(1);
    expect(value('rtap_node_sink_buffered{sink="nats"}')).to.equal(7);
    expect(value('rtap_node_sink_delivered_total{sink="nats"}')).to.equal(100);
    expect(value('rtap_node_sink_retries_total{sink="nats"}')).to.equal(1);
    expect(value('rtap_node_updates_total{outcome="published"}')).to.equal(250);
    expect(value('rtap_node_updates_total{outcome="dropped"}')).to.equal(4);
    await metrics.shutdown();
  });
});
