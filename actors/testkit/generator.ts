// A deterministic, seeded, streamable event generator: the unit/property tests, the e2e tests and
// the load tests all draw from it. It simulates users with sessions (start → page views →
// end), funnels (product view → /cart → Conversion), cart abandonment (/cart, then the session
// ends), bot bursts (many page views in < 1 s), out-of-order and late events, quiet (idle)
// partitions and bad records (raw bytes with the DLQ reason they must get).
//
// Time is virtual: item i is "produced" at wallTime = startTime + i·(1000 / eventsPerSecond),
// whatever rate the consumer actually pulls at, so the stream is rate-independent. Event times are
// derived from wallTime (minus disorder). Each item carries its partition (partitionFor(userId))
// and its offset within that partition (what Kafka would assign if produced in this order).
// Against a real wall clock (live pipeline, load tests) pass startTime: Date.now(); the fixed
// default start is for tests that inject the virtual clock.

import type { RtapEvent } from '../events/types.ts';
import type { DlqReason } from '../events/errors.ts';
import { EventCodec } from '../events/codec.ts';
import { partitionFor } from './partitioner.ts';
import { SeededRandom } from './random.ts';

export interface QuietPeriod {
  partition: number;
  /** Wall-clock offsets from startTime, ms: no events of the partition in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
}

export interface GeneratorOptions {
  seed?: number;
  partitions?: number;
  users?: number;
  /** Virtual clock start, epoch ms (default 2026-01-01T00:00:00Z). */
  startTime?: number;
  /** Virtual production rate: sets how far the clock moves per item (default 1000/s). */
  eventsPerSecond?: number;
  /**
   * The wall time (epoch ms, fractional allowed) of step `tick`, instead of startTime +
   * tick·1000/eventsPerSecond: load tests with changing rates pass their rate schedule here.
   */
  schedule?: (tick: number) => number;
  /** Stop after this many items (default: endless). */
  count?: number;
  /** Share of events displaced backwards by up to outOfOrdernessMs (default 0.05, 1500 ms). */
  outOfOrderRatio?: number;
  outOfOrdernessMs?: number;
  /** Share of events displaced further back by 2000 + up to lateMaxMs (default 0.005, 8000 ms). */
  lateRatio?: number;
  lateMaxMs?: number;
  /** Share of items that are bad records (default 0.002). */
  badRatio?: number;
  /** Chance per step that a bot fires a burst (default 0.002), and its size (default 30). */
  burstRatio?: number;
  burstSize?: number;
  /**
   * Event-time span of a burst (default 900 ms, all sent at once: its events lie up to this far in
   * the future). 0 for in-order streams (load tests run with no watermark lag).
   */
  burstSpanMs?: number;
  quiet?: QuietPeriod[];
  /** Codec for encoding bad-but-decodable records (default: the embedded catalog). */
  codec?: EventCodec;
}

export interface GeneratedEvent {
  kind: 'event';
  partition: number;
  offset: number;
  wallTime: number;
  event: RtapEvent;
}

export interface GeneratedBadRecord {
  kind: 'bad';
  partition: number;
  offset: number;
  wallTime: number;
  /** The raw message value, as a producer would have sent it. */
  bytes: Buffer;
  /** The dead-letter reason the pipeline must give it. */
  reason: DlqReason;
}

export type GeneratedItem = GeneratedEvent | GeneratedBadRecord;

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1);

const PAGES = ['/', '/search', '/about', '/blog', '/help'];
const PRODUCTS = 50;
const BAD_REASONS: DlqReason[] = ['bad-magic', 'truncated', 'unknown-schema', 'undecodable', 'future-timestamp'];

interface UserState {
  id: string;
  session: string | null;
  sessions: number;
  viewedProduct: boolean;
  inCart: boolean;
}

export function* generateEvents(opts: GeneratorOptions = {}): Generator<GeneratedItem, void, undefined> {
  const rnd = new SeededRandom(opts.seed ?? 1);
  const partitions = opts.partitions ?? 4;
  const startTime = opts.startTime ?? DEFAULT_START_TIME;
  const step = 1000 / (opts.eventsPerSecond ?? 1000);
  const count = opts.count ?? Infinity;
  const disorderRatio = opts.outOfOrderRatio ?? 0.05;
  const disorderMs = opts.outOfOrdernessMs ?? 1500;
  const lateRatio = opts.lateRatio ?? 0.005;
  const lateMaxMs = opts.lateMaxMs ?? 8000;
  const badRatio = opts.badRatio ?? 0.002;
  const burstRatio = opts.burstRatio ?? 0.002;
  const burstSize = opts.burstSize ?? 30;
  const burstSpanMs = opts.burstSpanMs ?? 900;
  const quiet = opts.quiet ?? [];
  const codec = opts.codec ?? new EventCodec();
  const seedTag = (opts.seed ?? 1).toString(36);

  const users: UserState[] = [];
  const userCount = opts.users ?? 1000;
  for (let u = 0; u < userCount; u++) users.push({ id: `u${u}`, session: null, sessions: 0, viewedProduct: false, inCart: false });
  const partitionOf = users.map((u) => partitionFor(u.id, partitions));
  const botCount = Math.max(1, Math.floor(userCount / 100));
  const offsets = new Array<number>(partitions).fill(0);

  let produced = 0;
  let tick = 0;
  let eventSeq = 0;
  const pending: GeneratedItem[] = [];
  const nextId = (): string => `${seedTag}-${eventSeq++}`;
  // Built as plain literals (no spread of a shared base object): the load generator makes tens of
  // thousands of these a second, on the cores it shares with the pipeline it measures.
  const pageView = (user: UserState, eventTime: number, page: string, referrer: string | null): RtapEvent => ({
    eventId: nextId(),
    userId: user.id,
    sessionId: sessionOf(user),
    eventTime,
    source: 'loadtest',
    type: 'PageView',
    page,
    referrer,
  });

  const isQuiet = (partition: number, wall: number): boolean => {
    const rel = wall - startTime;
    for (const q of quiet) if (q.partition === partition && rel >= q.fromMs && rel < q.toMs) return true;
    return false;
  };

  const wallTimeOf = opts.schedule ?? ((t: number) => startTime + t * step);
  while (produced < count) {
    const wallTime = Math.floor(wallTimeOf(tick));
    tick++;
    const ui = rnd.int(userCount);
    const user = users[ui] as UserState;
    const partition = partitionOf[ui] as number;
    if (isQuiet(partition, wallTime)) continue;

    let eventTime = wallTime;
    if (rnd.chance(lateRatio)) eventTime -= 2000 + rnd.int(lateMaxMs);
    else if (rnd.chance(disorderRatio)) eventTime -= rnd.int(disorderMs);

    if (rnd.chance(badRatio)) {
      const reason = BAD_REASONS[rnd.int(BAD_REASONS.length)] as DlqReason;
      const valid = codec.encode(pageView(user, eventTime, '/', null));
      let bytes: Buffer;
      switch (reason) {
        case 'bad-magic':
          bytes = Buffer.from(valid);
          bytes[0] = 1;
          break;
        case 'truncated':
          bytes = valid.subarray(0, 3);
          break;
        case 'unknown-schema':
          bytes = Buffer.from(valid);
          bytes.writeInt32BE(9999, 1);
          break;
        case 'undecodable':
          bytes = valid.subarray(0, valid.length - 3);
          break;
        default:
          // Decodes fine, but its timestamp is an hour ahead of the wall clock.
          bytes = codec.encode(pageView(user, wallTime + 3_600_000, '/', null));
      }
      pending.push({ kind: 'bad', partition, offset: offsets[partition]!++, wallTime, bytes, reason });
    } else if (rnd.chance(burstRatio) && ui < botCount) {
      // A bot: burstSize page views spread over burstSpanMs of event time.
      const spacing = Math.floor(burstSpanMs / burstSize);
      for (let b = 0; b < burstSize; b++) {
        pending.push({ kind: 'event', partition, offset: offsets[partition]!++, wallTime, event: pageView(user, eventTime + b * spacing, `/product/${rnd.int(PRODUCTS)}`, null) });
      }
    } else {
      const event = nextUserEvent(rnd, user, nextId, pageView, eventTime);
      pending.push({ kind: 'event', partition, offset: offsets[partition]!++, wallTime, event });
    }
    for (const item of pending) {
      if (produced >= count) break;
      produced++;
      yield item;
    }
    pending.length = 0;
  }
}

const sessionOf = (user: UserState): string => user.session ?? `${user.id}-s${user.sessions}`;

type PageViewFn = (user: UserState, eventTime: number, page: string, referrer: string | null) => RtapEvent;

/** One step of a user's session: the funnel and abandonment paths come from these odds. */
function nextUserEvent(rnd: SeededRandom, user: UserState, nextId: () => string, pageView: PageViewFn, eventTime: number): RtapEvent {
  if (user.session === null) {
    user.sessions++;
    user.session = `${user.id}-s${user.sessions}`;
    user.viewedProduct = false;
    user.inCart = false;
    return { eventId: nextId(), userId: user.id, sessionId: user.session, eventTime, source: 'loadtest', type: 'Session', action: 'start' };
  }
  const r = rnd.next();
  if (user.inCart && r < 0.25) {
    user.inCart = false;
    return { eventId: nextId(), userId: user.id, sessionId: user.session, eventTime, source: 'loadtest', type: 'Conversion', orderId: `o-${user.session}-${rnd.int(1e6)}`, value: (1 + rnd.int(50000)) / 100, currency: 'EUR' };
  }
  if (r < 0.1) {
    // Ends the session; a full cart left behind is a cart abandonment.
    const event: RtapEvent = { eventId: nextId(), userId: user.id, sessionId: user.session, eventTime, source: 'loadtest', type: 'Session', action: 'end' };
    user.session = null;
    return event;
  }
  if (user.viewedProduct && r < 0.3) {
    user.inCart = true;
    return pageView(user, eventTime, '/cart', '/product');
  }
  if (r < 0.65) {
    user.viewedProduct = true;
    return pageView(user, eventTime, `/product/${rnd.int(PRODUCTS)}`, null);
  }
  if (r < 0.9) return pageView(user, eventTime, PAGES[rnd.int(PAGES.length)] as string, null);
  return { eventId: nextId(), userId: user.id, sessionId: user.session, eventTime, source: 'loadtest', type: 'Custom', name: 'click', attributes: { target: `btn-${rnd.int(10)}` } };
}
