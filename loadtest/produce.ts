// `rtap produce`: a steady stream of generated events into Kafka at a fixed rate (open loop:
// each tick sends what the schedule says is due, however long the previous send took), so the
// dashboard has something to show. Event times follow the wall clock.
import { generateEvents } from '../actors/testkit/index.ts';
import { loadConfig } from '../config/load.ts';
import { hostPorts, int, num, str, type ConfigOf } from '../config/spec.ts';
import { EventProducer } from './event-producer.ts';
import { nodeConfigSpec } from '../node/config.ts';
import { startTracing } from '../telemetry/index.ts';
import { traceHeaders } from './trace-headers.ts';

export const produceConfigSpec = {
  'kafka.brokers': hostPorts(['127.0.0.1:9092'], 'Kafka bootstrap brokers'),
  'kafka.topic': str('events', 'topic to produce to'),
  'produce.rate': num(200, 'events per second', 0.1, 1_000_000),
  'produce.seed': int(1, 'generator seed (same seed, same stream)'),
  'produce.users': int(2_000, 'distinct users', 1),
  'produce.partitions': int(12, 'partitions of the topic', 1),
  'produce.duration-s': int(0, 'stop after this many seconds (0: run until stopped)'),
  'produce.bad-ratio': num(0.002, 'share of deliberately bad records (they go to the DLQ)', 0, 1),
  'tracing.endpoint': nodeConfigSpec['tracing.endpoint'],
  'tracing.sample-ratio': nodeConfigSpec['tracing.sample-ratio'],
  'tracing.enabled': nodeConfigSpec['tracing.enabled'],
};

export type ProduceConfig = ConfigOf<typeof produceConfigSpec>;

/** How long a stop waits for the sends in flight (Kafka slow or down) before it gives them up. */
export const STOP_GRACE_MS = 3_000;
/** At most one warning this often while Kafka refuses the sends (each retry would be one a second). */
const RETRY_WARNING_EVERY_MS = 5_000;

export interface ProduceLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface ProduceOutcome {
  /** Events Kafka acknowledged. */
  sent: number;
  /** Events given up at the stop, unacknowledged (in doubt: Kafka may hold some of them). */
  unacknowledged: number;
}

const STOPPED = Symbol('stopped');

/** `work`'s value, or STOPPED once `signal` has been aborted for `graceMs` with `work` still pending. */
function unlessStopped<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | typeof STOPPED> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => resolve(STOPPED), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * Sends until `signal` aborts (or `produce.duration-s` passes). Kafka down: every failed attempt is
 * retried for the producer's delivery timeout (then this rejects), with a warning at most every 5 s;
 * a stop meanwhile waits `graceMs` for the send in flight, then gives it up and says how many events
 * it held.
 */
export async function runProducer(config: ProduceConfig, signal: AbortSignal, log: ProduceLog, graceMs = STOP_GRACE_MS): Promise<ProduceOutcome> {
  const tracing = startTracing({ serviceName: 'rtap-producer', endpoint: config['tracing.endpoint'], sampleRatio: config['tracing.sample-ratio'], enabled: config['tracing.enabled'], asyncContext: false });
  const headers = config['tracing.enabled'] ? traceHeaders(tracing.tracer, undefined, config['tracing.sample-ratio']) : undefined;
  let failures = 0;
  let warnedAt = Number.NEGATIVE_INFINITY;
  const producer = new EventProducer(config['kafka.brokers'], config['kafka.topic'], 'rtap-produce', (err) => {
    failures++;
    if (Date.now() - warnedAt < RETRY_WARNING_EVERY_MS) return;
    warnedAt = Date.now();
    log.warn('kafka: a request failed; retrying', { brokers: config['kafka.brokers'].join(','), failures, error: err.message });
  });
  const outcome: ProduceOutcome = { sent: 0, unacknowledged: 0 };
  /** A connect or send still pending, given up at the stop. */
  let abandoned = false;
  try {
    if ((await unlessStopped(producer.connect(), signal, 0)) === STOPPED) {
      abandoned = true;
      return outcome;
    }
    const rate = config['produce.rate'];
    const items = generateEvents({
      seed: config['produce.seed'],
      users: config['produce.users'],
      partitions: config['produce.partitions'],
      startTime: Date.now(),
      eventsPerSecond: rate,
      badRatio: config['produce.bad-ratio'],
    });
    const started = Date.now();
    const endAt = config['produce.duration-s'] > 0 ? started + config['produce.duration-s'] * 1000 : Infinity;
    let lastReport = started;
    while (!signal.aborted && Date.now() < endAt) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate) - outcome.sent;
      const batch = [];
      for (let i = 0; i < due; i++) {
        const next = items.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length > 0) {
        const done = await unlessStopped(producer.send(batch, 2_000, headers), signal, graceMs);
        if (done === STOPPED) {
          abandoned = true;
          outcome.unacknowledged = batch.length;
          break;
        }
        outcome.sent += done.sent;
      }
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        log.info(`produced ${outcome.sent} events (${Math.round(outcome.sent / ((lastReport - started) / 1000))}/s)`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    if (abandoned) producer.abort();
    else await producer.close();
    await tracing.shutdown();
  }
  if (outcome.unacknowledged > 0) log.warn('stopped with events unacknowledged: Kafka did not answer within the stop\'s grace', { unacknowledged: outcome.unacknowledged, graceMs });
  return outcome;
}

export async function produceCli(argv: string[]): Promise<number> {
  const config = loadConfig(produceConfigSpec, { argv });
  const ctl = new AbortController();
  process.once('SIGTERM', () => ctl.abort());
  process.once('SIGINT', () => ctl.abort());
  const line = (level: string) => (msg: string, fields: Record<string, unknown> = {}): void =>
    console.log(JSON.stringify({ level, time: new Date().toISOString(), service: 'rtap-produce', ...fields, msg }));
  const outcome = await runProducer(config, ctl.signal, { info: line('info'), warn: line('warn') });
  line('info')('stopped', { sent: outcome.sent, unacknowledged: outcome.unacknowledged });
  return outcome.unacknowledged > 0 ? 1 : 0;
}
