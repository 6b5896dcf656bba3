// Every node says who it is and what it owns, every heartbeat interval, on core NATS.
import { hostname } from 'node:os';
import type { NatsConnection } from 'nats';
import { heartbeatSubject, type NodeHeartbeat, type PartitionStatus } from '../transports/nats/contracts.ts';
import type { SinkStatus } from '../transports/result-sink.ts';

export interface HeartbeatSources {
  partitions(): Promise<PartitionStatus[]>;
  sinks(): SinkStatus[];
  counters(): NodeHeartbeat['counters'];
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  last: NodeHeartbeat | undefined;

  constructor(
    private readonly nc: () => NatsConnection | undefined,
    private readonly nodeId: string,
    private readonly topic: string,
    private readonly sources: HeartbeatSources,
  ) {}

  start(intervalMs: number): void {
    const beat = (): void => void this.beat().catch(() => undefined);
    beat();
    this.timer = setInterval(beat, intervalMs);
  }

  async beat(leaving = false): Promise<NodeHeartbeat> {
    const sinks = this.sources.sinks();
    const reasons = sinks.filter((s) => !s.healthy).map((s) => `${s.reason ?? s.name} (${s.buffered} buffered)`);
    const hb: NodeHeartbeat = {
      nodeId: this.nodeId,
      topic: this.topic,
      pid: process.pid,
      host: hostname(),
      startedAt: this.startedAt,
      sentAt: Date.now(),
      status: reasons.length > 0 ? 'degraded' : 'ok',
      reasons,
      partitions: leaving ? [] : await this.sources.partitions(),
      counters: this.sources.counters(),
      ...(leaving ? { leaving: true } : {}),
    };
    this.last = hb;
    const nc = this.nc();
    if (nc && !nc.isClosed()) nc.publish(heartbeatSubject(this.nodeId), JSON.stringify(hb));
    return hb;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beat(true).catch(() => undefined);
  }
}
