import { expect } from 'chai';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { currentTraceparent } from './propagation.ts';
import { RtapSampler } from './sampler.ts';
import { MAX_LINKS, withBatchSpan, withTraceparent } from './spans.ts';

const SAMPLED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UNSAMPLED = '00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
const sampled = (i: number): string => `00-${i.toString(16).padStart(32, 'a')}-00f067aa0ba902b7-01`;

describe('span helpers for queued hops (withTraceparent, withBatchSpan)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler: new RtapSampler(0), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('t');
  afterEach(() => exporter.reset());
  after(() => provider.shutdown());

  it('withTraceparent: a child span of a sampled traceparent, whose own context is handed on', async () => {
    const handed = await withTraceparent(tracer, 'nats.publish', SAMPLED, { 'messaging.system': 'nats' }, async (tp) => tp);
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).to.equal('nats.publish');
    expect(span!.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
    expect(handed).to.equal(currentTraceparent(trace.setSpanContext(ROOT_CONTEXT, span!.spanContext())));
  });

  it('withTraceparent: no span and the traceparent unchanged when unsampled or without a tracer', () => {
    expect(withTraceparent(tracer, 'nats.publish', UNSAMPLED, undefined, (tp) => tp)).to.equal(UNSAMPLED);
    expect(withTraceparent(undefined, 'nats.publish', SAMPLED, undefined, (tp) => tp)).to.equal(SAMPLED);
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('withTraceparent: a rejection ends the span with ERROR and is passed on', async () => {
    const err = await withTraceparent(tracer, 'nats.publish', SAMPLED, undefined, () => Promise.reject(new Error('no ack'))).catch((e: Error) => e);
    expect((err as Error).message).to.equal('no ack');
    expect(exporter.getFinishedSpans()[0]!.status.code).to.equal(SpanStatusCode.ERROR);
  });

  it('withBatchSpan: one span, child of the first sampled context, linked to the other sampled ones (at most MAX_LINKS)', async () => {
    const traceparents = [UNSAMPLED, SAMPLED, ...Array.from({ length: MAX_LINKS + 5 }, (_, i) => sampled(i + 1))];
    await withBatchSpan(tracer, 'influx.write', traceparents, { 'rtap.points': 100 }, async () => undefined);
    const spans = exporter.getFinishedSpans();
    expect(spans).to.have.length(1);
    expect(spans[0]!.spanContext().traceId).to.equal('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spans[0]!.links).to.have.length(MAX_LINKS);
    expect(spans[0]!.links[0]!.context.traceId).to.equal(sampled(1).slice(3, 35));
  });

  it('withBatchSpan: no span when nothing is sampled', () => {
    expect(withBatchSpan(tracer, 'influx.write', [UNSAMPLED], undefined, () => 5)).to.equal(5);
    expect(withBatchSpan(undefined, 'influx.write', [SAMPLED], undefined, () => 6)).to.equal(6);
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });
});
