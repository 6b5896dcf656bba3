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

export async function runProducer(config: ProduceConfig, signal: AbortSignal, report: (line: string) => void): Promise<number> {
  const tracing = startTracing({ serviceName: 'rtap-producer', endpoint: config['tracing.endpoint'], sampleRatio: config['tracing.sample-ratio'], enabled: config['tracing.enabled'], asyncContext: false });
  const headers = config['tracing.enabled'] ? traceHeaders(tracing.tracer, undefined, config['tracing.sample-ratio']) : undefined;
  const producer = new EventProducer(config['kafka.brokers'], config['kafka.topic'], 'rtap-produce');
  await producer.connect();
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
  let sent = 0;
  let lastReport = started;
  while (!signal.aborted && Date.now() < endAt) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate) - sent;
    const batch = [];
    for (let i = 0; i < due; i++) {
      const next = items.next();
      if (next.done) break;
      batch.push(next.value);
    }
    if (batch.length > 0) sent += (await producer.send(batch, 2_000, headers)).sent;
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      report(`produced ${sent} events (${Math.round(sent / ((lastReport - started) / 1000))}/s)`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await producer.close();
  await tracing.shutdown();
  return sent;
}

export async function produceCli(argv: string[]): Promise<number> {
  const config = loadConfig(produceConfigSpec, { argv });
  const ctl = new AbortController();
  process.once('SIGTERM', () => ctl.abort());
  process.once('SIGINT', () => ctl.abort());
  const sent = await runProducer(config, ctl.signal, (l) => console.log(JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'rtap-produce', msg: l })));
  console.log(JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'rtap-produce', msg: 'stopped', sent }));
  return 0;
}
