// The load-test harness itself, end to end and short (the `smoke` scenario, 10 s): the full
// cluster on the real servers, the open-loop producer, the WebSocket latency probe, the CPU
// sampling, the oracle check and the report files.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { runScenario } from '../../loadtest/run.ts';
import { resolveScenario } from '../../loadtest/scenarios.ts';

describe('load test (smoke scenario)', () => {
  it('runs the pipeline open loop, measures end-to-end latency and checks every result against the oracle', async () => {
    const scenario = resolveScenario('smoke', { DURATION: '10' });
    const { report, files } = await runScenario(scenario, () => undefined);
    expect(report.oracle.detail, 'oracle differences').to.deep.equal([]);
    expect(report.oracle.ok).to.equal(true);
    expect(report.oracle.expected).to.be.greaterThan(100);
    expect(report.oracle.dlqReceived).to.be.at.least(report.oracle.dlqExpected).and.greaterThan(0);
    expect(report.settings['loadtest.nice'], 'the generator yields the cores').to.equal(10);
    expect(report.events.sent).to.be.within(9_000, 11_000);
    expect(report.events.processed, 'everything sent was processed').to.equal(report.events.sent);
    expect(report.latency.updates.count, 'page views measured').to.be.greaterThan(1_000);
    expect(report.latency.alerts.count, 'alerts measured').to.be.greaterThan(10);
    expect(report.latency.updates.p50).to.be.greaterThan(0).and.below(report.latency.updates.max + 1e-9);
    expect(report.seconds.length).to.be.within(9, 11);
    expect(report.notes.join('\n'), 'speculative window updates reached the client').to.match(/[1-9]\d* window updates/);
    const names = report.processes.map((p) => p.name);
    expect(names).to.include.members(['kafka', 'nats', 'influxdb', 'jaeger', 'prometheus', 'gateway', 'node-1', 'node-2', 'loadtest']);
    expect(report.processes.find((p) => p.name === 'node-1')!.cpuAvgPct).to.be.greaterThan(0);
    // How long the processes waited for a core, and the machine's CPU pressure (schedstat, PSI: this kernel has both).
    expect(report.processes.find((p) => p.name === 'node-1')!.cpuWaitAvgPct, 'run-queue wait measured').to.be.a('number').and.at.least(0);
    expect(report.cpuPressureAvgPct, 'CPU pressure measured').to.be.a('number').and.within(0, 100);
    expect(report.seconds.filter((x) => typeof x.cpuWait?.['node-1'] === 'number').length, 'every second').to.equal(report.seconds.length);
    for (const f of [files.json, files.md, files.svg]) expect(existsSync(f), f).to.equal(true);
    expect(readFileSync(files.md, 'utf8')).to.include('| oracle | pass').and.include('avg wait for a core %');
    expect(readFileSync(files.svg, 'utf8')).to.match(/^<svg/);
  });
});
