// Micro-benchmark: events/s through each built-in pattern operator on one core.
// Run: node --import tsx actors/cep/cep.bench.ts [events] [users] [disorderMs] [funnel|cartAbandonment|burst]
// The built-in operators are the specialised ones (actors/patterns/fast.ts). To measure the
// generic NFA operator on the same DSL definitions, name one of funnel-nfa, cartAbandonment-nfa,
// burst-nfa, or all-nfa (they are not run by default).
//
// Events are generated in untimed chunks and dropped after use, as in production (a decoder
// allocates them, the operator keeps only what partial matches reference); pre-generating a
// million events would make every major GC mark them and measure the benchmark, not the operator.
import type { RtapEvent } from '../events/types.ts';
import type { AnalyticsResult } from '../results.ts';
import type { Operator } from '../operator.ts';
import { burstPattern, cartAbandonmentPattern, funnelPattern } from '../patterns/index.ts';
import { burstDefinition, cartAbandonmentDefinition, funnelDefinition } from '../patterns/definitions.ts';
import { byUser } from '../patterns/predicates.ts';
import { cepOperator } from './operator.ts';
import { Prng } from './testing/prng.ts';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const USERS = Number(process.argv[3] ?? 50_000);
const RATE = 20_000; // events per second of event time: 1M events span ~50 s
/** Arrival disorder; the watermark lags the newest event time by this much. */
const DISORDER_MS = Number(process.argv[4] ?? 2_000);
const ONLY = process.argv[5];
const WATERMARK_EVERY = 1_000;
const CHUNK = 10_000;

/** A realistic mix: browsing-heavy, a few carts and conversions, 2% of events from 10 bots. */
class Generator {
  private readonly rng = new Prng(42);
  private clock = 1_700_000_000_000;
  private i = 0;

  chunk(n: number): RtapEvent[] {
    const rng = this.rng;
    const out: RtapEvent[] = [];
    for (let k = 0; k < n; k++, this.i++) {
      const i = this.i;
      this.clock += (rng.next() * 2000) / RATE;
      const bot = rng.next() < 0.02;
      const u = bot ? rng.int(0, 9) : rng.int(10, USERS - 1);
      const base = {
        eventId: `e${i}`, userId: `user${u}`, sessionId: `s${u}`,
        eventTime: Math.floor(this.clock) - rng.int(0, DISORDER_MS), source: 'bench',
      };
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
}

function run(name: string, op: Operator<RtapEvent>): void {
  let results = 0;
  const emit = (_r: AnalyticsResult): void => { results++; };
  const gen = new Generator();
  let maxT = -Infinity;
  let ns = 0n;
  let cpuUs = 0;
  for (let offset = 0; offset < EVENTS;) {
    const events = gen.chunk(Math.min(CHUNK, EVENTS - offset));
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (const e of events) {
      op.onEvent(e, offset, emit);
      if (e.eventTime > maxT) maxT = e.eventTime;
      if (offset % WATERMARK_EVERY === WATERMARK_EVERY - 1) op.onWatermark(maxT - DISORDER_MS, emit);
      offset++;
    }
    if (offset >= EVENTS) op.onWatermark(maxT, emit);
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
    ns += process.hrtime.bigint() - t0;
  }
  const secs = Number(ns) / 1e9;
  // CPU time (user + system, all threads incl. GC helpers) is the figure that survives a busy machine.
  const cpuSecs = cpuUs / 1e6;
  const s = op.stats();
  const rate = (x: number): string => Math.round(EVENTS / x).toLocaleString('en-US').padStart(10);
  console.log(`${name.padEnd(16)} ${rate(secs)} events/s wall  ${rate(cpuSecs)} events/cpu-s` +
    `  (${secs.toFixed(2)} s, ${results} results, ${s.partials} partials left, ${s.evictions} evictions, ${s.lateDropped} late)`);
}

console.log(`${EVENTS.toLocaleString('en-US')} events, ${USERS.toLocaleString('en-US')} users, ` +
  `disorder ${DISORDER_MS} ms, node ${process.version}`);
type Make = (ctx: { partition: number }) => Operator<RtapEvent>;
const all: Record<string, Make> = { funnel: funnelPattern, cartAbandonment: cartAbandonmentPattern, burst: burstPattern };
const nfa: Record<string, Make> = {
  'funnel-nfa': (ctx) => cepOperator(funnelDefinition(), { name: 'funnel', partition: ctx.partition, key: byUser }),
  'cartAbandonment-nfa': (ctx) => cepOperator(cartAbandonmentDefinition(), { name: 'cartAbandonment', partition: ctx.partition, key: byUser }),
  'burst-nfa': (ctx) => cepOperator(burstDefinition(), { name: 'burst', partition: ctx.partition, key: byUser }),
};
for (let round = 0; round < 2; round++) { // round 0 warms the JIT
  if (round === 1) console.log('--- measured');
  for (const [name, make] of Object.entries(all)) if (ONLY === undefined || ONLY === name) run(name, make({ partition: 0 }));
  for (const [name, make] of Object.entries(nfa)) if (ONLY === name || ONLY === 'all-nfa') run(name, make({ partition: 0 }));
}
