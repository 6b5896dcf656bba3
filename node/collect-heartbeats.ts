// Listens to node heartbeats for a while and returns the latest one of each live node of the
// pipeline reading `topic` (nodes older than the heartbeat's topic field count in any).
import { connect } from 'nats';
import { HEARTBEAT_SUBJECT_PREFIX, ofPipeline, type NodeHeartbeat } from '../transports/nats/contracts.ts';

export async function collectHeartbeats(servers: string, listenMs: number, topic: string): Promise<NodeHeartbeat[]> {
  const nc = await connect({ servers, name: 'rtap-status', timeout: 2_000 });
  const latest = new Map<string, NodeHeartbeat>();
  const sub = nc.subscribe(`${HEARTBEAT_SUBJECT_PREFIX}.>`);
  const done = (async () => {
    for await (const m of sub) {
      const beat = m.json<NodeHeartbeat>();
      if (!ofPipeline(beat, topic)) continue;
      if (beat.leaving) latest.delete(beat.nodeId);
      else latest.set(beat.nodeId, beat);
    }
  })();
  await new Promise((r) => setTimeout(r, listenMs));
  sub.unsubscribe();
  await done;
  await nc.close();
  return [...latest.values()];
}
