import { expect } from 'chai';
import type { NodeHeartbeat } from '../transports/nats/contracts.ts';
import { ClusterTracker } from './cluster-view.ts';
import { GatewayMetrics } from './metrics.ts';

function hb(nodeId: string, partitions: number[], lag: number, extra: Partial<NodeHeartbeat> = {}): NodeHeartbeat {
  return {
    nodeId, pid: 1, host: 'h', startedAt: 0, sentAt: 0, status: 'ok', reasons: [],
    partitions: partitions.map((partition) => ({ partition, offset: 10, lag, watermark: 5, mailboxDepth: 0, restarts: partition, paused: false, lastSnapshotAt: null, lastSnapshotBytes: null })),
    counters: { eventsProcessed: 0, resultsPublished: 0, dlq: 0, lateEvents: 0 },
    ...extra,
  };
}

describe('GatewayMetrics (OpenTelemetry instruments, Prometheus names kept)', () => {
  it('serves the plain fields under their established names, replay sizes per topic and the loop lag', async () => {
    const m = GatewayMetrics.create();
    m.clientsConnected = 2;
    m.framesSent += 5;
    m.resultsSent += 40;
    m.resultsDropped++;
    m.natsResultsIn += 3;
    m.observeReplay(() => new Map([['results', 12], ['alerts', 1]]));
    const text = await m.scrape();
    for (const line of [
      'rtap_gateway_clients 2', 'rtap_gateway_clients_slow 0', 'rtap_gateway_frames_sent_total 5', 'rtap_gateway_results_sent_total 40',
      'rtap_gateway_results_conflated_total 0', 'rtap_gateway_results_dropped_total 1', 'rtap_gateway_nats_results_in_total 3',
      'rtap_gateway_nats_heartbeats_in_total 0', 'rtap_gateway_nats_bad_messages_total 0', 'rtap_gateway_auth_rejected_total 0',
      'rtap_gateway_replay_frames_sent_total 0', 'rtap_gateway_replay_results{topic="results"} 12', 'rtap_gateway_replay_results{topic="alerts"} 1',
    ]) expect(text, line).to.include(`\n${line}\n`);
    expect(text).to.include('# TYPE rtap_gateway_frames_sent_total counter');
    expect(text).to.include('# TYPE rtap_gateway_clients gauge');
    expect(text).to.match(/\nrtap_gateway_event_loop_lag_seconds\{quantile="0.99"\} [\d.e+-]+\n/);
    expect(text).to.match(/\nrtap_gateway_event_loop_lag_seconds\{quantile="mean"\} [\d.e+-]+\n/);
    expect(text).to.match(/\nrtap_gateway_uptime_seconds [\d.]+\n/);
    m.framesSent++;
    expect(await m.scrape()).to.include('\nrtap_gateway_frames_sent_total 6\n');
    m.stop();
  });

  it('serves the cluster the heartbeats show: nodes by state, unowned partitions and the lag, read at each scrape', async () => {
    const m = GatewayMetrics.create();
    const empty = await m.scrape();
    for (const line of ['rtap_gateway_cluster_nodes{state="up"} 0', 'rtap_gateway_cluster_partitions_unowned 0', 'rtap_gateway_cluster_nodes_degraded 0', 'rtap_gateway_cluster_partition_restarts_total 0', 'rtap_gateway_cluster_lag 0']) {
      expect(empty, line).to.include(`\n${line}\n`);
    }
    const tracker = new ClusterTracker(1000);
    let now = 0;
    m.observeCluster(tracker, () => now);
    tracker.onHeartbeat(hb('a', [0, 1], 5), 0);
    tracker.onHeartbeat(hb('b', [2, 3], 7, { status: 'degraded', reasons: ['nats: connection refused'] }), 0);
    tracker.onHeartbeat(hb('c', [], 0, { leaving: true }), 0);
    let text = await m.scrape();
    for (const line of [
      'rtap_gateway_cluster_nodes{state="up"} 2', 'rtap_gateway_cluster_nodes{state="gone"} 0', 'rtap_gateway_cluster_nodes{state="left"} 1',
      'rtap_gateway_cluster_partitions_unowned 0', 'rtap_gateway_cluster_nodes_degraded 1', 'rtap_gateway_cluster_partition_restarts_total 0', 'rtap_gateway_cluster_lag 24',
    ]) expect(text, line).to.include(`\n${line}\n`);
    // b stops heartbeating: after 3 intervals it is gone and its two partitions have no owner; a's
    // partition 1 restarted 3 times (1 -> 4): counted from what the gateway had heard before.
    now = 3500;
    const again = hb('a', [0, 1], 5);
    again.partitions[1]!.restarts = 4;
    tracker.onHeartbeat(again, now);
    text = await m.scrape();
    for (const line of [
      'rtap_gateway_cluster_nodes{state="up"} 1', 'rtap_gateway_cluster_nodes{state="gone"} 1', 'rtap_gateway_cluster_partitions_unowned 2',
      'rtap_gateway_cluster_nodes_degraded 0', 'rtap_gateway_cluster_partition_restarts_total 3',
    ]) {
      expect(text, line).to.include(`\n${line}\n`);
    }
    m.stop();
  });
});
