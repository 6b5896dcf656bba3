import { expect } from 'chai';
import type { NodeHeartbeat } from '../transports/nats/contracts.ts';
import { ClusterTracker } from './cluster-view.ts';

function hb(nodeId: string, partitions: number[], sentAt: number, extra: Partial<NodeHeartbeat> = {}): NodeHeartbeat {
  return {
    nodeId, pid: 1, host: 'h', startedAt: 0, sentAt, status: 'ok', reasons: [],
    partitions: partitions.map((partition) => ({ partition, offset: 10, lag: partition, watermark: 5, mailboxDepth: 0, restarts: partition === 1 ? 2 : 0, paused: false, lastSnapshotAt: null, lastSnapshotBytes: null })),
    counters: { eventsProcessed: 0, resultsPublished: 0, dlq: 0, lateEvents: 0 },
    ...extra,
  };
}

describe('ClusterTracker', () => {
  it('merges heartbeats into nodes and partition owners with totals', () => {
    const t = new ClusterTracker(1000);
    t.onHeartbeat(hb('a', [0, 1], 100), 100);
    t.onHeartbeat(hb('b', [2, 3], 100), 100);
    const v = t.view(500);
    expect(v.nodes.map((n) => [n.nodeId, n.state])).to.deep.equal([['a', 'up'], ['b', 'up']]);
    expect(v.partitions.map((p) => p.owner)).to.deep.equal(['a', 'a', 'b', 'b']);
    expect(v.totals).to.deep.equal({ nodesUp: 2, partitions: 4, lag: 6, restarts: 2 });
  });

  it('shows a node as gone after 3 missed intervals; its partitions keep their last numbers, unowned', () => {
    const t = new ClusterTracker(1000);
    t.onHeartbeat(hb('a', [0], 0), 0);
    t.onHeartbeat(hb('b', [1], 0), 0);
    t.onHeartbeat(hb('a', [0], 3500), 3500);
    const v = t.view(3500);
    expect(v.nodes.find((n) => n.nodeId === 'b')!.state).to.equal('gone');
    expect(v.partitions.find((p) => p.partition === 1)).to.include({ owner: null, restarts: 2 });
    expect(v.totals.nodesUp).to.equal(1);
  });

  it('forgets the partitions with the last node: a stopped cluster has none left unowned', () => {
    const t = new ClusterTracker(1000);
    t.onHeartbeat(hb('a', [0, 1], 0), 0);
    t.onHeartbeat(hb('b', [2], 0), 0);
    expect(t.view(100).totals.partitions).to.equal(3);
    t.onHeartbeat(hb('b', [2], 5 * 60_000), 5 * 60_000);
    expect(t.view(5 * 60_000 + 1).partitions.map((p) => [p.partition, p.owner])).to.deep.equal([[0, null], [1, null], [2, 'b']]);
    expect(t.view(10 * 60_000 + 1).partitions.map((p) => p.partition)).to.deep.equal([0, 1, 2]); // a forgotten, b known: still unowned
    expect(t.view(15 * 60_000 + 1).partitions).to.deep.equal([]); // b forgotten too
    expect(t.view(15 * 60_000 + 1).nodes).to.deep.equal([]);
  });

  it('hands a partition to the node that reported it last (rebalance), and marks leaving nodes as left', () => {
    const t = new ClusterTracker(1000);
    t.onHeartbeat(hb('a', [0], 100), 100);
    t.onHeartbeat(hb('b', [0], 200), 200);
    expect(t.view(300).partitions[0]!.owner).to.equal('b');
    t.onHeartbeat(hb('b', [], 400, { leaving: true }), 400);
    const v = t.view(500);
    expect(v.nodes.find((n) => n.nodeId === 'b')!.state).to.equal('left');
    expect(v.partitions[0]!.owner).to.equal('a');
  });

  it('holds the nodes of its own pipeline only: heartbeats naming another input topic are not this cluster', () => {
    const t = new ClusterTracker(1000, 'events');
    t.onHeartbeat(hb('a', [0], 100, { topic: 'events' }), 100);
    t.onHeartbeat(hb('b', [1], 100, { topic: 'loadtest.events' }), 100);
    t.onHeartbeat(hb('old', [2], 100), 100); // a node from before heartbeats named their topic
    expect(t.view(200).nodes.map((n) => n.nodeId)).to.deep.equal(['a', 'old']);
    expect(t.view(200).partitions.map((p) => p.partition)).to.deep.equal([0, 2]);
  });

  it('counts the restarts reported after a node and partition were first heard of', () => {
    const t = new ClusterTracker(1000);
    t.onHeartbeat(hb('a', [0, 1], 100), 100); // partition 1 says 2 restarts: before this gateway knew
    expect(t.restartsSeen).to.equal(0);
    const later = hb('a', [0, 1], 200);
    later.partitions[1]!.restarts = 5;
    t.onHeartbeat(later, 200);
    t.onHeartbeat(hb('b', [1], 300), 300); // partition 1 moved to b: b's count starts its own baseline
    expect(t.restartsSeen).to.equal(3);
  });
});
