// Gateway counters and their Prometheus text rendering (/metrics). Plain numbers: the hot path
// only increments fields.
import { monitorEventLoopDelay } from 'node:perf_hooks';

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

  constructor() {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  /** `replaySizes`: topic → results held for replay. */
  render(replaySizes: Map<string, number>): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number, labels = ''): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}${labels} ${value}`);
    };
    metric('rtap_gateway_clients', 'gauge', 'Connected WebSocket clients.', this.clientsConnected);
    metric('rtap_gateway_clients_slow', 'gauge', 'Clients currently off the fast path (conflated updates).', this.clientsSlow);
    metric('rtap_gateway_frames_sent_total', 'counter', 'WebSocket frames sent (per receiving client).', this.framesSent);
    metric('rtap_gateway_results_sent_total', 'counter', 'Results sent (per receiving client).', this.resultsSent);
    metric('rtap_gateway_results_conflated_total', 'counter', 'Results replaced by a newer firing for slow clients.', this.resultsConflated);
    metric('rtap_gateway_results_dropped_total', 'counter', 'Results dropped for slow clients.', this.resultsDropped);
    metric('rtap_gateway_nats_results_in_total', 'counter', 'Results consumed from JetStream.', this.natsResultsIn);
    metric('rtap_gateway_nats_heartbeats_in_total', 'counter', 'Node heartbeats received.', this.natsHeartbeatsIn);
    metric('rtap_gateway_nats_bad_messages_total', 'counter', 'NATS messages that were not valid JSON results/heartbeats.', this.natsBadMessages);
    metric('rtap_gateway_auth_rejected_total', 'counter', 'Requests and upgrades rejected for a missing or wrong token.', this.authRejected);
    metric('rtap_gateway_replay_frames_sent_total', 'counter', 'Replay frames sent on subscribe.', this.replayFramesSent);
    lines.push('# HELP rtap_gateway_replay_results Results held for replay, per topic.', '# TYPE rtap_gateway_replay_results gauge');
    for (const [topic, size] of replaySizes) lines.push(`rtap_gateway_replay_results{topic="${escapeLabel(topic)}"} ${size}`);
    const p99 = this.loopDelay.percentile(99) / 1e9;
    const mean = Number.isNaN(this.loopDelay.mean) ? 0 : this.loopDelay.mean / 1e9;
    lines.push(
      '# HELP rtap_gateway_event_loop_lag_seconds Event loop delay since the last scrape.',
      '# TYPE rtap_gateway_event_loop_lag_seconds gauge',
      `rtap_gateway_event_loop_lag_seconds{quantile="0.99"} ${p99}`,
      `rtap_gateway_event_loop_lag_seconds{quantile="mean"} ${mean}`,
    );
    this.loopDelay.reset();
    lines.push(
      '# HELP rtap_gateway_uptime_seconds Seconds since the gateway started.',
      '# TYPE rtap_gateway_uptime_seconds gauge',
      `rtap_gateway_uptime_seconds ${process.uptime()}`,
    );
    return lines.join('\n') + '\n';
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
