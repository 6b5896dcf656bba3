// Micro-benchmark: events/s through each built-in pattern operator on one core.
// Run: node --import tsx actors/cep/cep.bench.ts [events] [users]
import type { RtapEvent } from '../events/types.ts';
import type { AnalyticsResult } from '../results.ts';
import type { Operator } from '../operator.ts';
import { burstPattern, cartAbandonmentPattern, funnelPattern } from '../patterns/index.ts';
import { Prng } from './testing/prng.ts';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const USERS = Number(process.argv[3] ?? 50_000);
const RATE = 20_000; // events per second of event time: 1M events span ~50 s
const DISORDER_MS = 2_000;
const WATERMARK_EVERY = 1_000;

/** A realistic mix: browsing-heavy, a few carts and conversions, some bots in bursts. */
function generate(): RtapEvent[] {
  const rng = new Prng(42);
  const out: RtapEvent[] = [];
  let clock = 1_700_000_000_000;
  for (let i = 0; i < EVENTS; i++) {
    clock += (rng.next() * 2000) / RATE;
    const t = Math.floor(clock);
    const bot = rng.next() < 0.02;
    const u = bot ? rng.int(0, 9) : rng.int(10, USERS - 1);
    const base = { eventId: `e${i}`, userId: `user${u}`, sessionId: `s${u}`, eventTime: t - rng.int(0, DISORDER_MS), source: 'bench' };
    const r = rng.next();
    if (r < 0.45) out.push({ ...base, type: 'PageView', page: `/product/${rng.int(1, 500)}`, referrer: null });
    else if (r < 0.6) out.push({ ...base, type: 'PageView', page: '/cart', referrer: null });
    else if (r < 0.8) out.push({ ...base, type: 'PageView', page: '/search', referrer: '/' });
    else if (r < 0.85) out.push({ ...base, type: 'Conversion', orderId: `o${i}`, value: 10, currency: 'EUR' });
    else if (r < 0.93) out.push({ ...base, type: 'Session', action: 'start' });
    else out.push({ ...base, type: 'Custom', name: 'click', attributes: {} });
  }
  return out;
}

function run(name: string, op: Operator<RtapEvent>, events: RtapEvent[]): void {
  let results = 0;
  const emit = (_r: AnalyticsResult): void => { results++; };
  let maxT = -Infinity;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RtapEvent;
    op.onEvent(e, i, emit);
    if (e.eventTime > maxT) maxT = e.eventTime;
    if (i % WATERMARK_EVERY === WATERMARK_EVERY - 1) op.onWatermark(maxT - DISORDER_MS, emit);
  }
  op.onWatermark(maxT, emit);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  // CPU time (user + system, all threads incl. GC) is the figure that survives a busy machine.
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const s = op.stats();
  const rate = (x: number): string => Math.round(events.length / x).toLocaleString('en-US').padStart(10);
  console.log(`${name.padEnd(16)} ${rate(secs)} events/s wall  ${rate(cpuSecs)} events/cpu-s` +
    `  (${secs.toFixed(2)} s, ${results} results, ${s.partials} partials left, ${s.evictions} evictions, ${s.lateDropped} late)`);
}

const events = generate();
console.log(`${EVENTS.toLocaleString('en-US')} events, ${USERS.toLocaleString('en-US')} users, node ${process.version}`);
for (let round = 0; round < 2; round++) { // round 0 warms the JIT
  if (round === 1) console.log('--- measured');
  run('funnel', funnelPattern({ partition: 0 }), events);
  run('cartAbandonment', cartAbandonmentPattern({ partition: 0 }), events);
  run('burst', burstPattern({ partition: 0 }), events);
}
