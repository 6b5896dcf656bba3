// The three built-in CEP patterns of the original dashboard, as engine operators.
// Exact definitions: docs/cep.md. Reference implementation for tests: ./oracle.ts.
// The operators are specialised implementations (./fast.ts) equivalent to running the DSL
// definitions through cepOperator (fast.test.ts checks them side by side).
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import { BurstOperator, CartAbandonmentOperator, FunnelOperator } from './fast.ts';
import {
  BURST, CART_ABANDONMENT, FUNNEL, burstDefinition, cartAbandonmentDefinition, funnelDefinition,
} from './definitions.ts';

export {
  BURST, BURST_THRESHOLD, BURST_WINDOW_MS, CART_ABANDONMENT, CART_TIMEOUT_MS, FUNNEL, FUNNEL_WITHIN_MS,
  burstDefinition, cartAbandonmentDefinition, funnelDefinition,
} from './definitions.ts';
export { isCartView, isConversion, isProductView } from './predicates.ts';
export { patternOracle } from './oracle.ts';
export type { OracleStep } from './oracle.ts';

export interface PatternOperatorOptions {
  /** Bound on partial matches per user (default 1000); the oldest is evicted beyond it (stats().evictions). */
  maxPartialsPerKey?: number;
}

export interface FunnelOptions extends PatternOperatorOptions {
  /** Window from the product view to the conversion, ms. Default 600_000 (10 min). */
  withinMs?: number;
}

export interface CartAbandonmentOptions extends PatternOperatorOptions {
  /** How long after a cart view a Conversion must arrive, ms. Default 300_000 (5 min). */
  timeoutMs?: number;
}

export interface BurstOptions extends PatternOperatorOptions {
  /** Events from one user that make an alert. Default 20. */
  threshold?: number;
  /** last.eventTime - first.eventTime < windowMs. Default 1000. */
  windowMs?: number;
}

export interface BuiltInPatternOptions {
  funnel?: FunnelOptions;
  cartAbandonment?: CartAbandonmentOptions;
  burst?: BurstOptions;
}

export function funnelPattern(ctx: OperatorContext, opts?: FunnelOptions): Operator<RtapEvent> {
  return new FunnelOperator(FUNNEL, ctx.partition, funnelDefinition(opts?.withinMs), opts?.maxPartialsPerKey);
}

export function cartAbandonmentPattern(ctx: OperatorContext, opts?: CartAbandonmentOptions): Operator<RtapEvent> {
  return new CartAbandonmentOperator(CART_ABANDONMENT, ctx.partition, cartAbandonmentDefinition(opts?.timeoutMs), opts?.maxPartialsPerKey);
}

export function burstPattern(ctx: OperatorContext, opts?: BurstOptions): Operator<RtapEvent> {
  return new BurstOperator(BURST, ctx.partition, burstDefinition(opts?.threshold, opts?.windowMs), opts?.maxPartialsPerKey);
}

export function builtInPatterns(ctx: OperatorContext, opts?: BuiltInPatternOptions): Operator<RtapEvent>[] {
  return [funnelPattern(ctx, opts?.funnel), cartAbandonmentPattern(ctx, opts?.cartAbandonment), burstPattern(ctx, opts?.burst)];
}
