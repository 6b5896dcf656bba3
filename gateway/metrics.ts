// Gateway metrics, as OpenTelemetry instruments served at /metrics on the gateway's own port.
// The hot path (fan-out, per result and frame) only increments the plain fields below; observable
// instruments read them when Prometheus scrapes, so counting costs nothing more than before.
// Prometheus names (stable, docs/observability.md): OTel `rtap.gateway.frames_sent` (a counter)
// is served as `rtap_gateway_frames_sent_total`, a gauge `rtap.gateway.clients` as `rtap_gateway_clients`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';
import { createMetrics, observeCounter, observeGauge } from '../telemetry/metrics.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { ClusterTracker } from './cluster-view.ts';

/** A node's states in the cluster view, each served even at 0 so an alert can compare them. */
const NODE_STATES = ['up', 'gone', 'left'] as const;

export class GatewayMetrics {
  clientsConnected = 0;
  clientsSlow = 0;
  framesSent = 0;
  resultsSent = 0;
  resultsConflated = 0;
  resultsDropped = 0;
  natsResultsIn = 0;
  natsHeartbeatsIn = 0;
  natsBadMessages = 0;
  authRejected = 0;
  replayFramesSent = 0;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private replaySizes: () => Map<string, number> = () => new Map();
  private cluster: ClusterTracker | undefined;
  private clock: () => number = Date.now;

  private constructor(private readonly metrics: Metrics) {
    this.loopDelay.enable();
    this.register(metrics.meter);
  }

  /** With a MeterProvider of its own (no server of its own: /metrics is a route of the gateway). */
  static create(): GatewayMetrics {
    return new GatewayMetrics(createMetrics({ serviceName: 'rtap-gateway' }));
  }

  /** `sizes`: topic → results held for replay, read at each scrape. */
  observeReplay(sizes: () => Map<string, number>): void {
    this.replaySizes = sizes;
  }

  /** The cluster as the nodes' heartbeats show it, read at each scrape (what /api/cluster serves). */
  observeCluster(cluster: ClusterTracker, clock: () => number = Date.now): void {
    this.cluster = cluster;
    this.clock = clock;
  }

  /** The Prometheus text of every instrument (GET /metrics). */
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }

  stop(): void {
    this.loopDelay.disable();
    void this.metrics.shutdown();
  }

  private register(meter: Meter): void {
    observeGauge(meter, 'rtap.gateway.clients', 'Connected WebSocket clients.', () => this.clientsConnected);
    observeGauge(meter, 'rtap.gateway.clients_slow', 'Clients currently off the fast path (conflated updates).', () => this.clientsSlow);
    observeCounter(meter, 'rtap.gateway.frames_sent', 'WebSocket frames sent (per receiving client).', () => this.framesSent);
    observeCounter(meter, 'rtap.gateway.results_sent', 'Results sent (per receiving client).', () => this.resultsSent);
    observeCounter(meter, 'rtap.gateway.results_conflated', 'Results replaced by a newer firing for slow clients.', () => this.resultsConflated);
    observeCounter(meter, 'rtap.gateway.results_dropped', 'Results dropped for slow clients.', () => this.resultsDropped);
    observeCounter(meter, 'rtap.gateway.nats_results_in', 'Results consumed from NATS.', () => this.natsResultsIn);
    observeCounter(meter, 'rtap.gateway.nats_heartbeats_in', 'Node heartbeats received.', () => this.natsHeartbeatsIn);
    observeCounter(meter, 'rtap.gateway.nats_bad_messages', 'NATS messages that were not valid JSON results/heartbeats.', () => this.natsBadMessages);
    observeCounter(meter, 'rtap.gateway.auth_rejected', 'Requests and upgrades rejected for a missing or wrong token.', () => this.authRejected);
    observeCounter(meter, 'rtap.gateway.replay_frames_sent', 'Replay frames sent on subscribe.', () => this.replayFramesSent);
    meter.createObservableGauge('rtap.gateway.replay_results', { description: 'Results held for replay, per topic.' }).addCallback((r) => {
      for (const [topic, size] of this.replaySizes()) r.observe(size, { topic });
    });
    // Event loop delay since the last scrape (the histogram is reset after each read).
    meter.createObservableGauge('rtap.gateway.event_loop_lag_seconds', { description: 'Event loop delay since the last scrape.', unit: 's' }).addCallback((r) => {
      const mean = this.loopDelay.mean;
      r.observe(this.loopDelay.percentile(99) / 1e9, { quantile: '0.99' });
      r.observe(Number.isNaN(mean) ? 0 : mean / 1e9, { quantile: 'mean' });
      this.loopDelay.reset();
    });
    // The cluster from the heartbeats: the one place that sees every node, so the alerts on a lost
    // node or an unowned partition read it here rather than from each node's own /metrics.
    const nodes = meter.createObservableGauge('rtap.gateway.cluster_nodes', { description: 'Nodes in the cluster view by state (up; gone: missed 3 heartbeats; left: shut down).' });
    const unowned = meter.createObservableGauge('rtap.gateway.cluster_partitions_unowned', { description: 'Partitions seen in heartbeats that no live node owns now.' });
    const degraded = meter.createObservableGauge('rtap.gateway.cluster_nodes_degraded', { description: 'Live nodes that report a sink that cannot deliver (status degraded).' });
    const restarts = meter.createObservableCounter('rtap.gateway.cluster_partition_restarts', { description: 'Supervisor restarts of partition actors that heartbeats reported since this gateway started.' });
    const lag = meter.createObservableGauge('rtap.gateway.cluster_lag', { description: 'Records behind the high watermarks, summed over the partitions (the last heartbeat of each).' });
    meter.addBatchObservableCallback((r) => {
      const view = this.cluster?.view(this.clock());
      for (const state of NODE_STATES) r.observe(nodes, view?.nodes.filter((n) => n.state === state).length ?? 0, { state });
      r.observe(unowned, view?.partitions.filter((p) => p.owner === null).length ?? 0);
      r.observe(degraded, view?.nodes.filter((n) => n.state === 'up' && n.status === 'degraded').length ?? 0);
      r.observe(restarts, this.cluster?.restartsSeen ?? 0);
      r.observe(lag, view?.totals.lag ?? 0);
    }, [nodes, unowned, degraded, restarts, lag]);
    observeGauge(meter, 'rtap.gateway.uptime_seconds', 'Seconds since the gateway started.', () => process.uptime(), 's');
  }
}
