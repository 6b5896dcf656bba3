import { expect } from 'chai';
import type { NodeHeartbeat } from '../transports/nats/contracts.ts';
import { renderCluster } from './cluster-table.ts';

const beat = (nodeId: string, partitions: number[], status: 'ok' | 'degraded' = 'ok'): NodeHeartbeat => ({
  nodeId,
  pid: 42,
  host: 'h',
  startedAt: 0,
  sentAt: 9_000,
  status,
  reasons: status === 'ok' ? [] : ['influxdb: connect ECONNREFUSED'],
  partitions: partitions.map((p) => ({
    partition: p, offset: 100 + p, lag: 2, watermark: 1_000, mailboxDepth: 1, restarts: 0, paused: false, lastSnapshotAt: 5_000, lastSnapshotBytes: 2048,
  })),
  counters: { eventsProcessed: 500, resultsPublished: 50, dlq: 1, lateEvents: 0 },
});

describe('renderCluster', () => {
  it('lists nodes with their partitions and reasons, and every partition with its owner', () => {
    const out = renderCluster([beat('node-2', [1, 3]), beat('node-1', [0, 2], 'degraded')], 10_000);
    const lines = out.split('\n');
    expect(lines[0]).to.match(/^NODE\s+PID\s+STATUS\s+PARTITIONS\s+LAG/);
    expect(lines[2]).to.match(/^node-1\s+42\s+degraded\s+0,2\s+4\s+500\s+1\s+1s\s+influxdb: connect ECONNREFUSED$/);
    expect(lines[3]).to.match(/^node-2\s+42\s+ok\s+1,3\s+4/);
    const parts = lines.slice(lines.indexOf('') + 3).map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    expect(parts).to.deep.equal(['0 node-1', '1 node-2', '2 node-1', '3 node-2']);
    expect(out).to.contain('2.0 KiB');
  });

  it('says how to start a node when none reports', () => {
    expect(renderCluster([])).to.contain('no rtap node is reporting');
  });
});
