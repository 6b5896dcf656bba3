// The rtap sampling policy, as one Sampler so the decision stays a few comparisons per span:
// 1. a span started with `rtap.sample = true` (pattern alerts, error paths) is always sampled, even under an
//    unsampled parent — the rare events we most want to see must not depend on the ratio;
// 2. otherwise a child follows its parent's decision (local or remote), so a trace is whole or absent;
// 3. a root is sampled with probability `ratio`, deterministically on the trace id (TraceIdRatioBased), so
//    every process that sees the same trace id as a root reaches the same decision.
import { trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';

/** Start attribute that forces a span to be sampled whatever the ratio or the parent says. */
export const FORCE_SAMPLE_ATTRIBUTE = 'rtap.sample';

// Shared, frozen results: the SDK only reads them, and not allocating keeps the unsampled path cheap.
const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

export class RtapSampler implements Sampler {
  private readonly root: TraceIdRatioBasedSampler;

  constructor(readonly ratio: number) {
    this.root = new TraceIdRatioBasedSampler(ratio); // clamps to [0, 1]; NaN → 0
  }

  shouldSample(ctx: Context, traceId: string, _spanName: string, _spanKind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    if (attributes[FORCE_SAMPLE_ATTRIBUTE] === true) return SAMPLED;
    const parent = trace.getSpanContext(ctx);
    // The SDK hands us the parent's trace id only when it found the parent valid (otherwise a fresh one),
    // so comparing ids replaces a second full hex validation of the parent — a quarter of startSpan's cost.
    if (parent !== undefined && parent.traceId === traceId) {
      return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED : NOT_SAMPLED;
    }
    return this.root.shouldSample(ctx, traceId);
  }

  toString(): string {
    return `RtapSampler{force=${FORCE_SAMPLE_ATTRIBUTE}, parentBased, root=${this.root.toString()}}`;
  }
}
