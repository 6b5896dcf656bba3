import { expect } from 'chai';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { FORCE_SAMPLE_ATTRIBUTE, RtapSampler } from './sampler.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const randomTraceId = (): string => Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

function parent(sampled: boolean, isRemote: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote,
  });
}

function decide(sampler: RtapSampler, ctx: Context, attrs: Attributes = {}, traceId = TRACE_ID): SamplingDecision {
  return sampler.shouldSample(ctx, traceId, 'span', SpanKind.INTERNAL, attrs, []).decision;
}

describe('RtapSampler', () => {
  it('samples a root carrying rtap.sample=true even at ratio 0', () => {
    expect(decide(new RtapSampler(0), ROOT_CONTEXT, { [FORCE_SAMPLE_ATTRIBUTE]: true })).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples an rtap.sample=true child under an unsampled parent', () => {
    expect(decide(new RtapSampler(0), parent(false, true), { [FORCE_SAMPLE_ATTRIBUTE]: true })).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('forces only on the boolean true, not on a truthy string', () => {
    expect(decide(new RtapSampler(0), ROOT_CONTEXT, { [FORCE_SAMPLE_ATTRIBUTE]: 'true' })).to.equal(SamplingDecision.NOT_RECORD);
  });

  for (const isRemote of [true, false]) {
    const where = isRemote ? 'remote' : 'local';
    it(`follows a sampled ${where} parent whatever the ratio`, () => {
      expect(decide(new RtapSampler(0), parent(true, isRemote))).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
    });
    it(`follows an unsampled ${where} parent whatever the ratio`, () => {
      expect(decide(new RtapSampler(1), parent(false, isRemote))).to.equal(SamplingDecision.NOT_RECORD);
    });
  }

  it('treats an invalid parent as absent: the SDK passes a fresh trace id and the root rule applies', () => {
    const invalid = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.NONE });
    expect(decide(new RtapSampler(1), invalid, {}, randomTraceId())).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new RtapSampler(0), invalid, {}, randomTraceId())).to.equal(SamplingDecision.NOT_RECORD);
  });

  it('samples no root at ratio 0 and every root at ratio 1', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomTraceId();
      expect(decide(new RtapSampler(0), ROOT_CONTEXT, {}, id)).to.equal(SamplingDecision.NOT_RECORD);
      expect(decide(new RtapSampler(1), ROOT_CONTEXT, {}, id)).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
    }
  });

  it('decides roots deterministically on the trace id, like TraceIdRatioBased, near the ratio', () => {
    const ours = new RtapSampler(0.25);
    const reference = new TraceIdRatioBasedSampler(0.25);
    let sampled = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const id = randomTraceId();
      const d = decide(ours, ROOT_CONTEXT, {}, id);
      expect(decide(ours, ROOT_CONTEXT, {}, id)).to.equal(d); // same id → same decision
      expect(d).to.equal(reference.shouldSample(ROOT_CONTEXT, id).decision);
      if (d === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    expect(sampled / n).to.be.within(0.23, 0.27);
  });

  it('clamps out-of-range ratios', () => {
    expect(decide(new RtapSampler(-1), ROOT_CONTEXT)).to.equal(SamplingDecision.NOT_RECORD);
    expect(decide(new RtapSampler(7), ROOT_CONTEXT)).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new RtapSampler(Number.NaN), ROOT_CONTEXT)).to.equal(SamplingDecision.NOT_RECORD);
  });

  it('in a provider: exports forced spans and sampled trees only', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ sampler: new RtapSampler(0), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('t');
    const plain = tracer.startSpan('plain-root');
    const plainChild = tracer.startSpan('plain-child', {}, trace.setSpan(ROOT_CONTEXT, plain));
    const alert = tracer.startSpan('pattern.match', { attributes: { [FORCE_SAMPLE_ATTRIBUTE]: true } }, trace.setSpan(ROOT_CONTEXT, plain));
    const alertChild = tracer.startSpan('nats.publish', {}, trace.setSpan(ROOT_CONTEXT, alert));
    const badParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED });
    const orphan = tracer.startSpan('orphan', {}, badParent); // invalid parent → a root → ratio 0 → dropped
    expect(orphan.spanContext().traceId).to.not.equal(TRACE_ID);
    for (const s of [alertChild, alert, plainChild, plain, orphan]) s.end();
    expect(plain.isRecording()).to.equal(false);
    expect(alert.spanContext().traceId).to.equal(plain.spanContext().traceId); // same trace, forced in
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).to.deep.equal(['nats.publish', 'pattern.match']);
    await provider.shutdown();
  });
});
