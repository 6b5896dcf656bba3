// Prints the cluster's processed-events total once a second from the nodes' heartbeats, and at
// the end the catch-up rate: events processed between the first and the last change.
//   node --import tsx loadtest/watch-throughput.ts [seconds=60]
import { connect } from 'nats';
import { HEARTBEAT_SUBJECT_PREFIX, type NodeHeartbeat } from '../transports/nats/contracts.ts';

const seconds = Number(process.argv[2] ?? 60);
const nc = await connect({ servers: process.env.RTAP_NATS_SERVERS ?? 'nats://127.0.0.1:4222' });
const latest = new Map<string, NodeHeartbeat>();
const sub = nc.subscribe(`${HEARTBEAT_SUBJECT_PREFIX}.>`);
void (async () => {
  for await (const m of sub) {
    const hb = m.json<NodeHeartbeat>();
    latest.set(hb.nodeId, hb);
  }
})();
const samples: [number, number][] = [];
const started = Date.now();
while (Date.now() - started < seconds * 1000) {
  await new Promise((r) => setTimeout(r, 1000));
  const total = [...latest.values()].reduce((s, b) => s + b.counters.eventsProcessed, 0);
  const lag = [...latest.values()].reduce((s, b) => s + b.partitions.reduce((x, p) => x + p.lag, 0), 0);
  samples.push([Date.now(), total]);
  console.log(`${((Date.now() - started) / 1000).toFixed(0)}s events=${total} lag=${lag}`);
}
const changes = samples.filter((s, i) => i > 0 && s[1] !== samples[i - 1]![1]);
if (changes.length > 1) {
  const [t0, n0] = samples[samples.indexOf(changes[0]!) - 1]!;
  const [t1, n1] = changes[changes.length - 1]!;
  console.log(JSON.stringify({ events: n1 - n0, seconds: (t1 - t0) / 1000, eventsPerSec: Math.round((n1 - n0) / ((t1 - t0) / 1000)) }));
}
sub.unsubscribe();
await nc.close();
