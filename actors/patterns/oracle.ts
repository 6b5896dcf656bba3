// Brute-force reference for the three built-in patterns (docs/cep.md), deliberately free of the
// NFA: sort each user's events, then plain loops. The e2e and property tests compare the live
// operators against this, as sets of result ids/contents.
import type { RtapEvent } from '../events/types.ts';
import type { PatternResult } from '../results.ts';
import {
  BURST, BURST_THRESHOLD, BURST_WINDOW_MS, CART_ABANDONMENT, CART_TIMEOUT_MS, FUNNEL, FUNNEL_WITHIN_MS,
} from './definitions.ts';
import type { BuiltInPatternOptions } from './index.ts';
import { isCartView, isConversion, isProductView } from './predicates.ts';

/** The operator's input in arrival order: an accepted event, or a watermark advance. */
export type OracleStep = { readonly event: RtapEvent; readonly offset: number } | { readonly watermark: number };

interface Item { readonly event: RtapEvent; readonly offset: number; readonly time: number }

export function patternOracle(steps: readonly OracleStep[], partition: number, opts?: BuiltInPatternOptions): PatternResult[] {
  // Late events (eventTime < watermark on arrival) never count; only events the final watermark
  // reached were processed.
  let wm = -Infinity;
  const accepted: Item[] = [];
  for (const s of steps) {
    if ('watermark' in s) wm = Math.max(wm, s.watermark);
    else if (s.event.eventTime >= wm) accepted.push({ event: s.event, offset: s.offset, time: s.event.eventTime });
  }
  const byUser = new Map<string, Item[]>();
  for (const it of accepted) {
    if (it.time > wm) continue;
    const list = byUser.get(it.event.userId);
    if (list === undefined) byUser.set(it.event.userId, [it]);
    else list.push(it);
  }
  const out: PatternResult[] = [];
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.time - b.time || a.offset - b.offset);
    funnel(list, user, partition, opts?.funnel?.withinMs ?? FUNNEL_WITHIN_MS, out);
    cartAbandonment(list, user, partition, opts?.cartAbandonment?.timeoutMs ?? CART_TIMEOUT_MS, wm, out);
    burst(list, user, partition, opts?.burst?.threshold ?? BURST_THRESHOLD, opts?.burst?.windowMs ?? BURST_WINDOW_MS, out);
  }
  return out;
}

function funnel(e: Item[], user: string, partition: number, within: number, out: PatternResult[]): void {
  for (let s = 0; s < e.length; s++) {
    const start = e[s];
    if (start === undefined || !isProductView(start.event)) continue;
    let c = s + 1;
    while (c < e.length && !isCartView(at(e, c).event)) c++;
    if (c >= e.length || at(e, c).time - start.time >= within) continue;
    let v = c + 1;
    while (v < e.length && !isConversion(at(e, v).event)) v++;
    if (v >= e.length || at(e, v).time - start.time >= within) continue;
    out.push(result(FUNNEL, partition, user, [start, at(e, c), at(e, v)], 'matched', start.time, at(e, v).time));
    s = v; // skip past the last event
  }
}

function cartAbandonment(e: Item[], user: string, partition: number, timeout: number, wm: number, out: PatternResult[]): void {
  for (let c = 0; c < e.length; c++) {
    const cart = at(e, c);
    if (!isCartView(cart.event) || cart.time + timeout > wm) continue;
    let converted = false;
    for (let v = c + 1; v < e.length && at(e, v).time - cart.time < timeout; v++) {
      if (isConversion(at(e, v).event)) converted = true;
    }
    if (!converted) out.push(result(CART_ABANDONMENT, partition, user, [cart], 'matched', cart.time, cart.time + timeout));
  }
}

function burst(e: Item[], user: string, partition: number, threshold: number, windowMs: number, out: PatternResult[]): void {
  let s = 0;
  while (s + threshold - 1 < e.length) {
    const first = at(e, s);
    const last = at(e, s + threshold - 1);
    if (last.time - first.time < windowMs) {
      out.push(result(BURST, partition, user, e.slice(s, s + threshold), 'matched', first.time, last.time));
      s += threshold;
    } else s++;
  }
}

function at(e: Item[], i: number): Item {
  const it = e[i];
  if (it === undefined) throw new Error(`index ${i} out of range`);
  return it;
}

function result(pattern: string, partition: number, key: string, items: Item[], status: 'matched' | 'timedOut', startTime: number, endTime: number): PatternResult {
  const offsets = items.map((i) => i.offset);
  return {
    kind: 'pattern', id: `${pattern}|p${partition}|${offsets.join('.')}${status === 'timedOut' ? '|timeout' : ''}`,
    pattern, partition, key, status, eventIds: items.map((i) => i.event.eventId), offsets, startTime, endTime,
  };
}
