import { expect } from 'chai';
import { GatewayMetrics } from './metrics.ts';

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
});
