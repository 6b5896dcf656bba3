// A window closing in every partition at once publishes a burst of results to JetStream. How long
// until an ordered consumer (what the gateway runs) has them, publishing with nats.js's
// `js.publish` (one request per message) or with JetStreamPublisher (plain publishes, acks on one
// inbox subscription)? Needs the local NATS server (`make infra-up`).
//   node --import tsx transports/nats/jetstream-publish.bench.ts [bursts=10] [size=500]
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import { JetStreamPublisher } from './jetstream-publisher.ts';

const BURSTS = Number(process.argv[2] ?? 10);
const SIZE = Number(process.argv[3] ?? 500);
const servers = process.env.RTAP_NATS_SERVERS ?? 'nats://127.0.0.1:4222';
// A page-views final result, as a node publishes it (~250 B).
const body = JSON.stringify({ kind: 'window', id: 'page-views|p1|/product/12|1764127000000-1764127005000|f0', analytic: 'page-views', partition: 1, key: '/product/12', windowStart: 1764127000000, windowEnd: 1764127005000, firing: 0, trigger: 'final', values: { count: 17 } });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Mode = 'js.publish' | 'JetStreamPublisher';

async function run(mode: Mode): Promise<number[]> {
  const nc = await connect({ servers });
  const pub = await connect({ servers });
  const jsm = await nc.jetstreamManager();
  const stream = `bench_${Date.now()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  try {
    const consumer = await nc.jetstream().consumers.get(stream, { deliver_policy: DeliverPolicy.New, filterSubjects: `${stream}.>` });
    const messages = await consumer.consume({ max_messages: 1024 });
    const latencies: number[] = [];
    const received = (async () => {
      for await (const m of messages) {
        const text = decoder.decode(m.data);
        latencies.push(performance.now() - Number(text.slice(0, 20)));
        JSON.parse(text.slice(20)); // what the gateway does with each
        if (latencies.length === BURSTS * SIZE) break;
      }
    })();
    const js = pub.jetstream();
    const publisher = new JetStreamPublisher(pub, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    for (let b = 0; b < BURSTS; b++) {
      const payload = (): Uint8Array => encoder.encode(String(performance.now()).padEnd(20) + body);
      if (mode === 'js.publish') await Promise.all(Array.from({ length: SIZE }, (_, i) => js.publish(`${stream}.r`, payload(), { msgID: `${b}-${i}` })));
      else await publisher.publishAll(Array.from({ length: SIZE }, (_, i) => ({ subject: `${stream}.r`, data: payload(), msgId: `${b}-${i}` })));
      await new Promise((r) => setTimeout(r, 300));
    }
    await received;
    publisher.close();
    return latencies.sort((a, b) => a - b);
  } finally {
    await jsm.streams.delete(stream);
    await closeAll(nc, pub);
  }
}

async function closeAll(...conns: NatsConnection[]): Promise<void> {
  await Promise.all(conns.map((c) => c.close()));
}

const q = (sorted: number[], p: number): string => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);
// Alternating, three rounds each: the machine's noise hits both alike.
for (let round = 1; round <= 3; round++) {
  for (const mode of ['js.publish', 'JetStreamPublisher'] as const) {
    const l = await run(mode);
    console.log(JSON.stringify({ round, mode, bursts: BURSTS, size: SIZE, p50Ms: Number(q(l, 0.5)), p99Ms: Number(q(l, 0.99)), maxMs: Number(l[l.length - 1]!.toFixed(1)) }));
  }
}
