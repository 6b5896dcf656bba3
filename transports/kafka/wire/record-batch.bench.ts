// CPU cost of turning generated events into Kafka produce-request record batches: kafkajs 2.2.4's
// encoder (what the load generator used) against wire/record-batch.ts (what it uses now). Encoding
// only, no network: the same 1 000-record batches (12 partitions' worth, seed 42, Avro values, 1 % with
// a traceparent header), alternating the two encoders, median of 5 rounds.
//   npm run bench:produce-encode
import { EventCodec } from '../../../actors/events/index.ts';
import { generateEvents } from '../../../actors/testkit/generator.ts';
import { kafkajsRecordBatch } from './kafkajs-reference.ts';
import { Writer } from './protocol.ts';
import { writeRecordBatch, type KafkaRecord } from './record-batch.ts';

const BATCHES = 200;
const codec = new EventCodec();
const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
const batches: KafkaRecord[][] = [];
let current: KafkaRecord[] = [];
for (const item of generateEvents({ seed: 42, users: 2_000, partitions: 12, count: BATCHES * 1_000, eventsPerSecond: 10_000, badRatio: 0 })) {
  if (item.kind !== 'event') continue;
  const record: KafkaRecord = { key: item.event.userId, value: codec.encode(item.event), ...(item.offset % 100 === 0 ? { headers: { traceparent } } : {}) };
  current.push(record);
  if (current.length === 1_000) {
    batches.push(current);
    current = [];
  }
}

async function kafkajs(): Promise<number> {
  let bytes = 0;
  for (const batch of batches) bytes += (await kafkajsRecordBatch(batch, Date.now(), { producerId: 1n, producerEpoch: 0, baseSequence: 0 })).length;
  return bytes;
}

function ours(): number {
  let bytes = 0;
  for (const batch of batches) {
    const w = new Writer(128 * 1024);
    bytes += writeRecordBatch(w, batch, Date.now(), { producerId: 1n, producerEpoch: 0, baseSequence: 0 });
  }
  return bytes;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = { kafkajs: [] as number[], ours: [] as number[] };
await kafkajs();
ours();
for (let round = 0; round < 5; round++) {
  let t = performance.now();
  await kafkajs();
  rate.kafkajs.push((BATCHES * 1_000) / ((performance.now() - t) / 1_000));
  t = performance.now();
  ours();
  rate.ours.push((BATCHES * 1_000) / ((performance.now() - t) / 1_000));
}
console.log(`record-batch encoding, ${BATCHES} × 1 000 records (${(ours() / BATCHES / 1_000).toFixed(0)} B each), Node ${process.version}`);
for (const [name, xs] of Object.entries(rate)) console.log(`  ${name.padEnd(8)} ${Math.round(median(xs)).toLocaleString('en-US').padStart(11)} records/s (rounds ${xs.map((x) => Math.round(x / 1000)).join(', ')} k)`);
console.log(JSON.stringify({ kafkajs: median(rate.kafkajs), ours: median(rate.ours) }));
