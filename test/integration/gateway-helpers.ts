// Shared by the gateway integration and dashboard e2e tests: result/heartbeat builders and NATS publishing.
import { headers as natsHeaders } from 'nats';
import type { JetStreamClient, NatsConnection } from 'nats';
import { patternResultId, type PatternResult, type WindowResult } from '../../actors/results.ts';
import { windowResult as buildWindowResult } from '../../actors/windows/result-id.ts';
import type { NodeHeartbeat, PartitionStatus } from '../../transports/nats/contracts.ts';
import { heartbeatSubject, resultSubject } from '../../transports/nats/contracts.ts';

export function windowResult(analytic: string, partition: number, key: string, windowStart: number, windowMs: number, firing: number, values: Record<string, number>): WindowResult {
  return buildWindowResult(analytic, partition, key, windowStart, windowStart + windowMs, firing, firing === 0 ? 'final' : 'late', values);
}

export function patternResult(pattern: string, partition: number, key: string, offset: number, endTime: number): PatternResult {
  return {
    kind: 'pattern',
    id: patternResultId(pattern, partition, [offset - 2, offset - 1, offset]),
    pattern,
    partition,
    key,
    status: 'matched',
    eventIds: [`e${offset - 2}`, `e${offset - 1}`, `e${offset}`],
    offsets: [offset - 2, offset - 1, offset],
    startTime: endTime - 3000,
    endTime,
  };
}

export const traceparentFor = (n: number): { traceparent: string; traceId: string } => {
  const traceId = n.toString(16).padStart(32, 'a');
  return { traceId, traceparent: `00-${traceId}-${'b'.repeat(16)}-01` };
};

export async function publishResult(js: JetStreamClient, result: WindowResult | PatternResult, traceparent?: string): Promise<void> {
  const h = natsHeaders();
  if (traceparent) h.set('traceparent', traceparent);
  await js.publish(resultSubject(result), JSON.stringify(result), { msgID: result.id, headers: h });
}

export function heartbeat(nodeId: string, partitions: number[], extra: Partial<NodeHeartbeat> = {}): NodeHeartbeat {
  const now = Date.now();
  return {
    nodeId,
    pid: 1000 + nodeId.length,
    host: 'localhost',
    startedAt: now - 60_000,
    sentAt: now,
    status: 'ok',
    reasons: [],
    partitions: partitions.map(
      (partition): PartitionStatus => ({
        partition,
        offset: 1000 + partition * 17,
        lag: partition % 3,
        watermark: now - 2000,
        mailboxDepth: partition % 5,
        restarts: partition % 12 === 7 ? 1 : 0,
        paused: false,
        lastSnapshotAt: now - 10_000,
        lastSnapshotBytes: 2048,
      }),
    ),
    counters: { eventsProcessed: 12345, resultsPublished: 678, dlq: 0, lateEvents: 3 },
    ...extra,
  };
}

export function publishHeartbeat(nc: NatsConnection, hb: NodeHeartbeat): void {
  nc.publish(heartbeatSubject(hb.nodeId), JSON.stringify(hb));
}
