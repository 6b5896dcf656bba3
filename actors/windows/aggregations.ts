// The standard aggregations as one Aggregator: count, and on demand sum/min/max/avg over a numeric
// selector, an exact distinct count over a string selector, and approximate quantiles.

import type { Aggregator } from './aggregator.ts';
import { QuantileSketch } from './quantile-sketch.ts';

export interface AggregationSpec<E> {
  /** The numeric value for sum/min/max/avg/quantiles. */
  value?: (event: E) => number;
  sum?: boolean;
  min?: boolean;
  max?: boolean;
  avg?: boolean;
  /** Exact distinct count of this selector's values (a Set: exact, and mergeable by union). */
  distinct?: (event: E) => string;
  /** Quantiles of `value`, e.g. [0.5, 0.95] → values p50, p95. */
  quantiles?: number[];
  quantileAccuracy?: number;
}

export interface StandardAcc {
  count: number;
  sum: number;
  min: number;
  max: number;
  distinct: Set<string> | null;
  sketch: QuantileSketch | null;
}

export function standardAggregator<E>(spec: AggregationSpec<E>): Aggregator<E, StandardAcc> {
  const valueOf = spec.value;
  const distinctOf = spec.distinct;
  const quantiles = spec.quantiles ?? [];
  const wantsSketch = quantiles.length > 0;
  const accuracy = spec.quantileAccuracy ?? 0.01;
  const quantileNames = quantiles.map((q) => `p${Math.round(q * 1000) / 10}`);

  return {
    create: () => ({
      count: 0,
      sum: 0,
      min: Infinity,
      max: -Infinity,
      distinct: distinctOf ? new Set<string>() : null,
      sketch: wantsSketch ? new QuantileSketch(accuracy) : null,
    }),
    add(acc, event) {
      acc.count++;
      if (valueOf) {
        const v = valueOf(event);
        acc.sum += v;
        if (v < acc.min) acc.min = v;
        if (v > acc.max) acc.max = v;
        if (acc.sketch) acc.sketch.add(v);
      }
      if (distinctOf && acc.distinct) acc.distinct.add(distinctOf(event));
    },
    merge(into, from) {
      into.count += from.count;
      into.sum += from.sum;
      if (from.min < into.min) into.min = from.min;
      if (from.max > into.max) into.max = from.max;
      if (into.distinct && from.distinct) for (const d of from.distinct) into.distinct.add(d);
      if (into.sketch && from.sketch) into.sketch.merge(from.sketch);
    },
    values(acc) {
      const out: Record<string, number> = { count: acc.count };
      if (spec.sum) out.sum = acc.sum;
      if (spec.min) out.min = acc.count > 0 ? acc.min : 0;
      if (spec.max) out.max = acc.count > 0 ? acc.max : 0;
      if (spec.avg) {
        // avg is not mergeable across partitions: sum and count travel with it.
        out.avg = acc.count > 0 ? acc.sum / acc.count : 0;
        out.sum = acc.sum;
      }
      if (acc.distinct) out.distinct = acc.distinct.size;
      if (acc.sketch) for (let i = 0; i < quantiles.length; i++) out[quantileNames[i] as string] = acc.sketch.quantile(quantiles[i] as number);
      return out;
    },
    // Compact on purpose: a count-only accumulator snapshots as one number (100k keys ≈ 1 MB).
    encode(acc) {
      if (!valueOf && !acc.distinct) return acc.count;
      return [acc.count, acc.sum, acc.count > 0 ? acc.min : 0, acc.count > 0 ? acc.max : 0, acc.distinct ? [...acc.distinct] : 0, acc.sketch ? acc.sketch.encode() : 0];
    },
    decode(json) {
      const acc: StandardAcc = { count: 0, sum: 0, min: Infinity, max: -Infinity, distinct: null, sketch: null };
      if (typeof json === 'number') {
        acc.count = json;
        return acc;
      }
      const [count, sum, min, max, distinct, sketch] = json as [number, number, number, number, string[] | 0, unknown];
      acc.count = count;
      acc.sum = sum;
      if (count > 0) {
        acc.min = min;
        acc.max = max;
      }
      if (distinct !== 0) acc.distinct = new Set(distinct);
      if (sketch !== 0) acc.sketch = QuantileSketch.decode(sketch);
      return acc;
    },
  };
}
