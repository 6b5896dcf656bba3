// Merges node heartbeats into one cluster view: which nodes are up, which node owns each
// partition, lag, watermark and restarts. A node that missed 3 heartbeat intervals is 'gone'.
import { ofPipeline, type NodeHeartbeat, type PartitionStatus } from '../transports/nats/contracts.ts';
import type { ClusterView, NodeView, PartitionView } from './protocol.ts';

const MISSED_INTERVALS = 3;
/** Gone nodes stay visible for a while (an operator wants to see what died), then disappear. */
const FORGET_AFTER_MS = 10 * 60_000;

interface Known {
  hb: NodeHeartbeat;
  lastSeen: number;
}

export class ClusterTracker {
  private readonly nodes = new Map<string, Known>();
  /** Last status seen per partition, so a partition whose owner died still shows its last numbers. */
  private readonly lastPartition = new Map<number, PartitionStatus>();

  /** Last restart count per node and partition, to count the restarts seen since (a counter). */
  private readonly lastRestarts = new Map<string, number>();
  /** Partition actor restarts reported since this gateway started (not those before it heard of them). */
  restartsSeen = 0;

  /** `topic`: the pipeline's input topic; heartbeats of nodes reading another one are not this cluster. */
  constructor(readonly heartbeatIntervalMs: number, private readonly topic?: string) {}

  onHeartbeat(hb: NodeHeartbeat, now: number): void {
    if (this.topic !== undefined && !ofPipeline(hb, this.topic)) return;
    this.nodes.set(hb.nodeId, { hb, lastSeen: now });
    for (const p of hb.partitions) {
      const key = `${hb.nodeId}/${p.partition}`;
      const before = this.lastRestarts.get(key);
      if (before !== undefined && p.restarts > before) this.restartsSeen += p.restarts - before;
      this.lastRestarts.set(key, p.restarts);
    }
  }

  nodeState(k: Known, now: number): NodeView['state'] {
    if (k.hb.leaving) return 'left';
    return now - k.lastSeen > MISSED_INTERVALS * this.heartbeatIntervalMs ? 'gone' : 'up';
  }

  view(now: number): ClusterView {
    const nodes: NodeView[] = [];
    const owners = new Map<number, { nodeId: string; sentAt: number; status: PartitionStatus }>();
    for (const [id, k] of this.nodes) {
      if (now - k.lastSeen > FORGET_AFTER_MS) {
        this.nodes.delete(id);
        for (const key of this.lastRestarts.keys()) if (key.startsWith(`${id}/`)) this.lastRestarts.delete(key);
        continue;
      }
      const state = this.nodeState(k, now);
      const { hb } = k;
      nodes.push({
        nodeId: hb.nodeId,
        host: hb.host,
        pid: hb.pid,
        startedAt: hb.startedAt,
        lastSeen: k.lastSeen,
        state,
        status: hb.status,
        reasons: hb.reasons,
        partitions: state === 'up' ? hb.partitions.map((p) => p.partition).sort((a, b) => a - b) : [],
        counters: hb.counters,
      });
      for (const p of hb.partitions) {
        if (state === 'up') {
          // During a rebalance two nodes may briefly both report a partition: the newer report wins.
          const cur = owners.get(p.partition);
          if (!cur || hb.sentAt > cur.sentAt) owners.set(p.partition, { nodeId: hb.nodeId, sentAt: hb.sentAt, status: p });
        }
        const prev = this.lastPartition.get(p.partition);
        if (!prev || state === 'up') this.lastPartition.set(p.partition, p);
      }
    }
    // A cluster whose every node has been forgotten has no partitions left to report: keeping
    // their last numbers would show them unowned (and alert) until the gateway restarts.
    if (this.nodes.size === 0) this.lastPartition.clear();
    // Live nodes first: the ones an operator acts on; gone/left ones below.
    nodes.sort((a, b) => Number(a.state !== 'up') - Number(b.state !== 'up') || a.nodeId.localeCompare(b.nodeId));
    const partitions: PartitionView[] = [...this.lastPartition.keys()]
      .sort((a, b) => a - b)
      .map((partition) => {
        const owner = owners.get(partition);
        const s = owner?.status ?? this.lastPartition.get(partition)!;
        return {
          partition,
          owner: owner?.nodeId ?? null,
          offset: s.offset,
          lag: s.lag,
          watermark: s.watermark,
          mailboxDepth: s.mailboxDepth,
          restarts: s.restarts,
          paused: s.paused,
          lastSnapshotAt: s.lastSnapshotAt,
        };
      });
    return {
      generatedAt: now,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      nodes,
      partitions,
      totals: {
        nodesUp: nodes.filter((n) => n.state === 'up').length,
        partitions: partitions.length,
        lag: partitions.reduce((s, p) => s + p.lag, 0),
        restarts: partitions.reduce((s, p) => s + p.restarts, 0),
      },
    };
  }
}
