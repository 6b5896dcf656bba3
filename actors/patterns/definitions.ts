// The built-in patterns as DSL definitions, with their defaults. docs/cep.md states them in prose.
import type { RtapEvent } from '../events/types.ts';
import { AfterMatchSkip, Pattern } from '../cep/pattern.ts';
import { anyEvent, isCartView, isConversion, isProductView } from './predicates.ts';

export const FUNNEL = 'funnel';
export const CART_ABANDONMENT = 'cartAbandonment';
export const BURST = 'burst';

export const FUNNEL_WITHIN_MS = 600_000;
export const CART_TIMEOUT_MS = 300_000;
export const BURST_THRESHOLD = 20;
export const BURST_WINDOW_MS = 1_000;

/** product view -> cart view -> conversion, relaxed, within; one conversion closes one funnel. */
export function funnelDefinition(withinMs = FUNNEL_WITHIN_MS): Pattern<RtapEvent> {
  return Pattern.begin<RtapEvent>('product', AfterMatchSkip.skipPastLastEvent()).where(isProductView)
    .followedBy('cart').where(isCartView)
    .followedBy('conversion').where(isConversion)
    .within(withinMs);
}

/** A cart view with no conversion after it inside the timeout; completes when the window expires. */
export function cartAbandonmentDefinition(timeoutMs = CART_TIMEOUT_MS): Pattern<RtapEvent> {
  return Pattern.begin<RtapEvent>('cart').where(isCartView)
    .notFollowedBy('conversion').where(isConversion)
    .within(timeoutMs);
}

/** `threshold` events of a user within `windowMs`; skip-past-last so alerts never share events. */
export function burstDefinition(threshold = BURST_THRESHOLD, windowMs = BURST_WINDOW_MS): Pattern<RtapEvent> {
  const begin = Pattern.begin<RtapEvent>('events', AfterMatchSkip.skipPastLastEvent()).where(anyEvent);
  return (threshold > 1 ? begin.times(threshold) : begin).within(windowMs);
}
