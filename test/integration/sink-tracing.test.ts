// The result sinks' spans against the real servers: `nats.publish` per traced result (the NATS header
// then carries the publish span's context) and one `influx.write` per batch that holds traced results.
import { expect } from 'chai';
import { connect, type NatsConnection } from 'nats';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { InfluxResultSink } from '../../transports/influx/influx-result-sink.ts';
import { NatsResultSink } from '../../transports/nats/nats-result-sink.ts';
import { TRACEPARENT_HEADER } from '../../transports/nats/contracts.ts';
import { RtapSampler } from '../../telemetry/index.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';
import { patternResult, windowResult } from '../support/results.ts';

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '5bf92f3577b34da6a3ce929d0e0e4736';
const sampled = (traceId: string): string => `00-${traceId}-00f067aa0ba902b7-01`;
const unsampled = (traceId: string): string => `00-${traceId}-00f067aa0ba902b7-00`;

describe('result sinks: nats.publish and influx.write spans (real NATS, InfluxDB)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler: new RtapSampler(0), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('rtap');
  let nc: NatsConnection;
  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
  });
  after(async () => {
    await nc.close();
    await provider.shutdown();
  });
  afterEach(() => exporter.reset());

  it('publishes a traced result in a nats.publish span whose context the NATS header carries; untraced ones without', async () => {
    const analytic = uniqueName('itest').replace(/-/g, '_');
    const subject = `rtap.results.window.${analytic}`;
    const headers = new Map<string, string | undefined>();
    const sub = nc.subscribe(subject);
    void (async () => {
      for await (const m of sub) headers.set((JSON.parse(new TextDecoder().decode(m.data)) as { id: string }).id, m.headers?.get(TRACEPARENT_HEADER) || undefined);
    })();
    const sink = new NatsResultSink({ servers: endpoints.natsServers, duplicateWindowMs: 120_000, highWater: 10_000, tracer });
    try {
      const [traced, plain, notSampled] = [windowResult(analytic, 0), windowResult(analytic, 1), windowResult(analytic, 2)];
      sink.offer(traced, sampled(TRACE_A));
      sink.offer(plain);
      sink.offer(notSampled, unsampled(TRACE_B));
      await sink.flush();
      await eventually(async () => (headers.size === 3 ? true : undefined), 5_000, 'three messages');
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).to.deep.equal(['nats.publish']);
      const publish = spans[0]!;
      expect(publish.spanContext().traceId).to.equal(TRACE_A);
      expect(publish.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
      expect(publish.attributes).to.include({ 'messaging.system': 'nats', 'messaging.destination.name': subject, 'rtap.result.id': traced.id });
      expect(headers.get(traced.id)).to.equal(`00-${TRACE_A}-${publish.spanContext().spanId}-01`);
      expect(headers.get(plain.id)).to.equal(undefined);
      expect(headers.get(notSampled.id)).to.equal(unsampled(TRACE_B)); // passed on unchanged
    } finally {
      sub.unsubscribe();
      await sink.close();
    }
  });

  it('writes a batch holding traced results in one influx.write span: child of the first, linked to the others', async () => {
    const analytic = uniqueName('itest');
    const sink = new InfluxResultSink({ url: endpoints.influxUrl, org: '', bucket: endpoints.influxBucket, token: '', flushIntervalMs: 200, highWater: 10_000, source: 'itest', tracer });
    try {
      for (let i = 0; i < 20; i++) sink.offer(windowResult(analytic, i));
      sink.offer(patternResult(analytic, 0), sampled(TRACE_A));
      sink.offer(patternResult(analytic, 1), sampled(TRACE_B));
      await sink.flush();
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).to.deep.equal(['influx.write']);
      expect(spans[0]!.spanContext().traceId).to.equal(TRACE_A);
      expect(spans[0]!.links.map((l) => l.context.traceId)).to.deep.equal([TRACE_B]);
      expect(spans[0]!.attributes).to.include({ 'rtap.points': 22, 'rtap.traced': 2 });
      exporter.reset();
      for (let i = 20; i < 30; i++) sink.offer(windowResult(analytic, i)); // nothing traced: no span
      await sink.flush();
      expect(exporter.getFinishedSpans()).to.have.length(0);
    } finally {
      await sink.close();
    }
  });
});
