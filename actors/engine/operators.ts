// Operator sets for the engine: the window analytics alone, or with the CEP patterns.
import type { RtapEvent } from '../events/types.ts';
import type { Operator } from '../operator.ts';
import type { WindowAnalyticsOptions } from '../analytics/index.ts';
import type { BuiltInPatternOptions } from '../patterns/index.ts';
import type { OperatorFactory } from './analytics-engine.ts';
import { builtInWindowAnalytics } from '../analytics/index.ts';
import { builtInPatterns } from '../patterns/index.ts';

/** The built-in window analytics plus the three built-in CEP patterns. */
export function withPatterns(analytics?: WindowAnalyticsOptions, patterns?: BuiltInPatternOptions): OperatorFactory {
  return (ctx, time): Operator<RtapEvent>[] => [...builtInWindowAnalytics(ctx, time.allowedLatenessMs, analytics), ...builtInPatterns(ctx, patterns)];
}

export function windowAnalyticsOnly(analytics?: WindowAnalyticsOptions): OperatorFactory {
  return (ctx, time) => builtInWindowAnalytics(ctx, time.allowedLatenessMs, analytics);
}
