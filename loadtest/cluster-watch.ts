// Progress of the pipeline as the gateway's cluster view reports it (node heartbeats, every
// heartbeat interval): records processed (sum of the partitions' next offsets) and the lag behind
// what the producer has written (it knows every partition's end offset exactly: a fresh topic).
import type { ClusterView } from '../gateway/protocol.ts';

export class ClusterWatch {
  /** Last known next offset per partition: a view taken while a partition moves between nodes may miss it. */
  private readonly offsets = new Map<number, number>();

  constructor(private readonly gatewayUrl: string) {}

  async processed(): Promise<number> {
    return (await this.sample([])).processed;
  }

  async sample(producedNext: readonly number[]): Promise<{ processed: number; lag: number }> {
    const view = await this.fetchView();
    const offsets = this.offsets;
    for (const p of view.partitions) offsets.set(p.partition, Math.max(p.offset, offsets.get(p.partition) ?? 0));
    let processed = 0;
    for (const o of offsets.values()) processed += o;
    let lag = 0;
    producedNext.forEach((next, p) => {
      lag += Math.max(0, next - (offsets.get(p) ?? 0));
    });
    return { processed, lag };
  }

  /** Retried: a kept-alive connection the gateway closed meanwhile fails the first attempt. */
  private async fetchView(): Promise<ClusterView> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.gatewayUrl}/api/cluster`);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return (await res.json()) as ClusterView;
      } catch (err) {
        if (attempt >= 3) throw new Error(`loadtest: GET ${this.gatewayUrl}/api/cluster failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
