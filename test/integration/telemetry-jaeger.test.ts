// rtap's telemetry against the real Jaeger: one trace crossing three processes (each with its own tracer
// provider and OTLP exporter, as in production) and the sampling policy as seen by the backend.
import { expect } from 'chai';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { connect, headers as natsHeaders } from 'nats';
import type { Msg, NatsConnection } from 'nats';
import {
  createTracerProvider, extractJson, extractKafka, extractNats, FORCE_SAMPLE_ATTRIBUTE, injectJson, injectKafka, injectNats,
  startTracing, traceIdOf, withSpan,
} from '../../telemetry/index.ts';
import type { KafkaHeaders, TraceFields } from '../../telemetry/index.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

async function jaegerTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${endpoints.jaegerQuery}/api/traces/${traceId}`);
  if (!res.ok) return undefined;
  return ((await res.json()) as { data: JaegerTrace[] }).data[0];
}

/** Waits until Jaeger holds `count` spans for the trace (spans of one trace arrive in several exports). */
function traceWithSpans(traceId: string, count: number): Promise<JaegerTrace> {
  return eventually(async () => {
    const t = await jaegerTrace(traceId);
    return t !== undefined && t.spans.length >= count ? t : undefined;
  }, 15_000, `${count} spans of trace ${traceId} in Jaeger`);
}

describe('telemetry → Jaeger (real server)', () => {
  let nc: NatsConnection;
  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
  });
  after(() => nc.drain());

  it('follows one trace producer → Kafka headers → node → NATS headers → gateway → WebSocket JSON', async () => {
    const common = { endpoint: endpoints.otlpHttpTraces, sampleRatio: 1 };
    const producer = createTracerProvider({ ...common, serviceName: 'rtap-producer' });
    const node = createTracerProvider({ ...common, serviceName: 'rtap-node', resourceAttributes: { 'rtap.node.id': 'node-itest' } });
    const gateway = createTracerProvider({ ...common, serviceName: 'rtap-gateway' });
    const subject = uniqueName('rtap.itest.telemetry');

    // Producer process: the root span; its context goes into the Kafka record headers (Buffer values).
    const kafkaHeaders = new Map<Buffer, Buffer>();
    // Contexts are passed explicitly (as across actor mailboxes), so no context manager is needed here.
    withSpan(producer.getTracer('rtap'), 'produce', { 'messaging.destination.name': 'events' }, ROOT_CONTEXT, (_span, ctx) => {
      injectKafka(kafkaHeaders as KafkaHeaders, ctx, true);
    });
    // The broker hands the consumer fresh Buffers.
    const consumed = new Map([...kafkaHeaders].map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));

    // Gateway process: subscribed to the node's results on NATS.
    const received = new Promise<Msg>((resolve) => {
      const sub = nc.subscribe(subject, { max: 1 });
      void (async () => {
        for await (const m of sub) resolve(m);
      })();
    });
    await nc.flush();

    // Node process: continues the trace from the Kafka headers and publishes a result with NATS headers.
    const nodeTracer = node.getTracer('rtap');
    withSpan(nodeTracer, 'kafka.consume', { 'messaging.kafka.partition': 3 }, extractKafka(consumed as KafkaHeaders, ROOT_CONTEXT), (_s, consumeCtx) => {
      withSpan(nodeTracer, 'decode', undefined, consumeCtx, () => undefined);
      withSpan(nodeTracer, 'window.update', undefined, consumeCtx, () => undefined);
      withSpan(nodeTracer, 'pattern.match', { [FORCE_SAMPLE_ATTRIBUTE]: true, 'rtap.pattern': 'spike' }, consumeCtx, (_p, matchCtx) => {
        withSpan(nodeTracer, 'nats.publish', undefined, matchCtx, (_n, publishCtx) => {
          const h = natsHeaders();
          injectNats(h, publishCtx);
          nc.publish(subject, '{"kind":"alert"}', { headers: h });
        });
      });
    });

    // Gateway: continues from the NATS headers and fans out a WebSocket JSON message.
    const msg = await received;
    const wsFrame = withSpan(gateway.getTracer('rtap'), 'gateway.fanout', { 'rtap.frames': 1 }, extractNats(msg.headers, ROOT_CONTEXT), (_g, ctx) =>
      JSON.stringify(injectJson<{ kind: string } & TraceFields>({ kind: 'alert' }, ctx)),
    );
    // Dashboard side: the trace id arrives in the JSON field.
    const dashboardCtx = extractJson(JSON.parse(wsFrame) as TraceFields, ROOT_CONTEXT);
    const traceId = traceIdOf((JSON.parse(wsFrame) as TraceFields).traceparent);
    expect(traceId).to.match(/^[\da-f]{32}$/);
    expect(trace.getSpanContext(dashboardCtx)?.traceId).to.equal(traceId);

    await Promise.all([producer.shutdown(), node.shutdown(), gateway.shutdown()]); // flush every exporter

    const t = await traceWithSpans(traceId!, 7);
    const byName = new Map(t.spans.map((s) => [s.operationName, s]));
    const service = (name: string): string => t.processes[byName.get(name)!.processID]!.serviceName;
    const parentOf = (name: string): string | undefined => byName.get(name)!.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
    const idOf = (name: string): string => byName.get(name)!.spanID;

    expect([...byName.keys()].sort()).to.deep.equal(['decode', 'gateway.fanout', 'kafka.consume', 'nats.publish', 'pattern.match', 'produce', 'window.update']);
    expect(new Set(Object.values(t.processes).map((p) => p.serviceName))).to.deep.equal(new Set(['rtap-producer', 'rtap-node', 'rtap-gateway']));
    expect(service('produce')).to.equal('rtap-producer');
    expect(service('kafka.consume')).to.equal('rtap-node');
    expect(service('gateway.fanout')).to.equal('rtap-gateway');
    expect(parentOf('produce')).to.equal(undefined);
    expect(parentOf('kafka.consume')).to.equal(idOf('produce')); // across the Kafka hop
    for (const child of ['decode', 'window.update', 'pattern.match']) expect(parentOf(child)).to.equal(idOf('kafka.consume'));
    expect(parentOf('nats.publish')).to.equal(idOf('pattern.match'));
    expect(parentOf('gateway.fanout')).to.equal(idOf('nats.publish')); // across the NATS hop
    // The WebSocket JSON carries the gateway span as parent for whatever the dashboard does next.
    expect(trace.getSpanContext(dashboardCtx)?.spanId).to.equal(idOf('gateway.fanout'));
    expect(byName.get('kafka.consume')!.tags).to.deep.include({ key: 'messaging.kafka.partition', type: 'int64', value: 3 });
  });

  it('at sample ratio 0 exports an rtap.sample=true span but not a plain root span', async () => {
    const serviceName = uniqueName('rtap-sampling');
    // Through startTracing (the NodeSDK path real processes use), with a bare OTLP origin as endpoint.
    const tracing = startTracing({ serviceName, endpoint: 'http://127.0.0.1:4318', sampleRatio: 0, enabled: true });
    const plain = tracing.tracer.startSpan('window.update');
    const forced = tracing.tracer.startSpan('pattern.match', { attributes: { [FORCE_SAMPLE_ATTRIBUTE]: true } });
    const forcedChild = tracing.tracer.startSpan('nats.publish', {}, trace.setSpan(ROOT_CONTEXT, forced));
    for (const s of [forcedChild, forced, plain]) s.end();
    expect(plain.isRecording()).to.equal(false);
    await tracing.shutdown();

    const t = await traceWithSpans(forced.spanContext().traceId, 2);
    expect(t.spans.map((s) => s.operationName).sort()).to.deep.equal(['nats.publish', 'pattern.match']);
    expect(Object.values(t.processes)[0]!.serviceName).to.equal(serviceName);
    // Both would have left in the same flush: once the forced trace is stored, the plain one would be too.
    expect(await jaegerTrace(plain.spanContext().traceId)).to.equal(undefined);
    const listed = (await (await fetch(`${endpoints.jaegerQuery}/api/traces?service=${serviceName}&limit=20`)).json()) as { data: JaegerTrace[] };
    expect(listed.data.map((x) => x.traceID)).to.deep.equal([forced.spanContext().traceId]);
  });
});
