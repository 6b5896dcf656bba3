import { expect } from 'chai';
import { context, ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { FORCE_SAMPLE_ATTRIBUTE } from './sampler.ts';
import { isSampled, withSpan } from './spans.ts';
import { noopTracer, startTracing, tracesUrl } from './tracing.ts';
import type { Tracing } from './tracing.ts';

describe('tracing setup and span helpers', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  before(() => {
    tracing = startTracing({ serviceName: 'rtap-test', endpoint: 'http://127.0.0.1:1', sampleRatio: 1, enabled: true, exporter });
  });
  after(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  async function finished(): Promise<ReadableSpan[]> {
    await tracing.flush();
    return exporter.getFinishedSpans();
  }

  it('withSpan (sync) makes the span active, ends it and returns the value', async () => {
    const out = withSpan(tracing.tracer, 'decode', { 'rtap.partition': 3 }, undefined, (span) => {
      expect(trace.getActiveSpan()).to.equal(span);
      return 42;
    });
    expect(out).to.equal(42);
    const [s] = await finished();
    expect(s?.name).to.equal('decode');
    expect(s?.attributes).to.include({ 'rtap.partition': 3 });
    expect(s?.resource.attributes['service.name']).to.equal('rtap-test');
  });

  it('withSpan (async) ends the span when the promise settles and nests children', async () => {
    const out = await withSpan(tracing.tracer, 'kafka.consume', undefined, undefined, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return withSpan(tracing.tracer, 'window.update', undefined, undefined, () => 'ok');
    });
    expect(out).to.equal('ok');
    const spans = await finished();
    const parent = spans.find((s) => s.name === 'kafka.consume')!;
    const child = spans.find((s) => s.name === 'window.update')!;
    expect(child.parentSpanContext?.spanId).to.equal(parent.spanContext().spanId);
    expect(parent.duration[1] + parent.duration[0] * 1e9).to.be.greaterThan(4e6);
  });

  it('withSpan records a throw and a rejection with ERROR status and re-throws', async () => {
    expect(() => withSpan(tracing.tracer, 'influx.write', undefined, undefined, () => { throw new Error('sync boom'); })).to.throw('sync boom');
    let rejected: unknown;
    await withSpan(tracing.tracer, 'nats.publish', undefined, undefined, () => Promise.reject(new Error('async boom'))).catch((e: unknown) => { rejected = e; });
    expect((rejected as Error).message).to.equal('async boom');
    const spans = await finished();
    for (const [name, msg] of [['influx.write', 'sync boom'], ['nats.publish', 'async boom']] as const) {
      const s = spans.find((x) => x.name === name)!;
      expect(s.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: msg });
      expect(s.events.map((e) => e.name)).to.include('exception');
    }
  });

  it('withSpan continues a remote parent context', async () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true,
    });
    withSpan(tracing.tracer, 'gateway.fanout', undefined, remote, () => undefined);
    const [s] = await finished();
    expect(s?.spanContext().traceId).to.equal('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(s?.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
  });

  it('isSampled tells whether children will be sampled', () => {
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true,
    });
    expect(isSampled(ROOT_CONTEXT)).to.equal(false);
    expect(isSampled(unsampled)).to.equal(false);
    withSpan(tracing.tracer, 'x', undefined, undefined, () => expect(isSampled()).to.equal(true));
    withSpan(tracing.tracer, 'y', undefined, unsampled, (span) => {
      expect(isSampled()).to.equal(false);
      expect(span.isRecording()).to.equal(false);
    });
    withSpan(tracing.tracer, 'pattern.match', { [FORCE_SAMPLE_ATTRIBUTE]: true }, unsampled, () => expect(isSampled()).to.equal(true));
  });

  it('disabled tracing gives the no-op tracer: non-recording spans, no ids in context', () => {
    const tracer = noopTracer();
    withSpan(tracer, 'produce', { a: 1 }, undefined, (span) => {
      expect(span.isRecording()).to.equal(false);
      expect(trace.isSpanContextValid(span.spanContext())).to.equal(false);
    });
    expect(context.active()).to.equal(ROOT_CONTEXT);
  });

  it('tracesUrl appends /v1/traces to a bare origin only', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).to.equal('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/v1/traces')).to.equal('http://collector:4318/v1/traces');
    expect(tracesUrl('https://otel.example/custom/path')).to.equal('https://otel.example/custom/path');
  });
});
