import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fileStamp, oracleVerdict, PERFORMANCE_HEADER, performanceRow, throughputPerMin, writeReport } from './report-writer.ts';
import { makeReport, second } from './test-fixtures.ts';
import type { LatencySummary, RunReport } from './types.ts';

const cells = (line: string): string[] => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());

describe('writeReport', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtap-report-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes json, md and svg with the stamp, and -latest copies', () => {
    const report = makeReport();
    const paths = writeReport(report, dir);
    expect(paths).to.deep.equal({
      json: join(dir, 'steady-20261125-143005.json'),
      md: join(dir, 'steady-20261125-143005.md'),
      svg: join(dir, 'steady-20261125-143005.svg'),
    });
    expect(readdirSync(dir).sort()).to.deep.equal([
      'steady-20261125-143005.json', 'steady-20261125-143005.md', 'steady-20261125-143005.svg',
      'steady-latest.json', 'steady-latest.md', 'steady-latest.svg',
    ]);
    expect(JSON.parse(readFileSync(paths.json, 'utf8'))).to.deep.equal(report);
    expect(readFileSync(paths.svg, 'utf8').startsWith('<svg')).to.equal(true);
    for (const ext of ['json', 'md', 'svg'] as const) {
      expect(readFileSync(join(dir, `steady-latest.${ext}`), 'utf8')).to.equal(readFileSync(paths[ext], 'utf8'));
    }
  });

  it('puts the numbers in the Markdown', () => {
    const md = readFileSync(writeReport(makeReport(), dir).md, 'utf8');
    expect(md).to.match(/^# Load test: steady\n\nSteady 10k events\/s for a minute\./);
    expect(md).to.contain('| events/s target / achieved | 10,000 / 9,998 (99.98 % of target) |');
    expect(md).to.contain('leave out the first 10 s (warm-up');
    expect(md).to.contain('| updates latency p50 / p95 / p99 / p99.9 / max | 4.25 ms / 7.50 ms / 8.13 ms / 15.5 ms / 42.8 ms (599,000 measured) |');
    expect(md).to.contain('| alerts latency p50 / p95 / p99 / p99.9 / max | 5.50 ms / 8.75 ms / 9.38 ms / 12.5 ms / 20.3 ms (1,200 measured) |');
    expect(md).to.contain('| throughput (processed) | 599,400 events/min |');
    const ramped = makeReport({ seconds: [second(1, { processed: 1_000 }), second(2, { processed: 2_000 }), second(3, { processed: 9_000 }), second(4, { processed: 11_000 })], warmupS: 2 });
    expect(throughputPerMin(ramped), 'the measured seconds only').to.equal(600_000);
    expect(md).to.contain('| errors / error rate | 3 / 0.00050 % |');
    expect(md).to.contain('| consumer lag max / final | 4,321 / 7 |');
    expect(md).to.contain('| oracle | pass: 1,234/1,234 results, DLQ 60/60 |');
    expect(md).to.contain('| kafka | 101 | 21 | 40 | 1,101 |');
    expect(md).to.contain('| node-1 | 202 | 56 | 90 | 250 |');
    expect(md).to.contain('| `rate` | 10000 |');
    expect(md).to.contain('| `conflate` | true |');
    expect(md).to.contain('- node-2 was killed at t=30 s');
    expect(md).to.contain('2 × Test CPU @ 2.0GHz, 24 GiB RAM, Node v20.20.2, kernel 6.1.0.');
    expect(md).to.contain('![latency and throughput](steady-20261125-143005.svg)');
    expect(md).to.not.contain('## Knee');
    expect(md).to.not.contain('## Fan-out');
    expect(md).to.not.contain('from the send', 'a report without the send times (older runs) has no such rows');
    expect(md).to.not.match(/NaN|undefined/);
  });

  it('splits the latency into the pipeline\'s share and the load generator\'s lateness when the run measured them', () => {
    const summary = (p50: number, p99: number): LatencySummary => ({ count: 1_000, p50, p95: p99, p99, p999: p99, max: p99, mean: p50 });
    const base = makeReport();
    const md = readFileSync(writeReport(makeReport({
      latency: { ...base.latency, fromSend: { updates: summary(2, 6), alerts: summary(3, 7) }, generatorLateness: summary(1.5, 2.5) },
    }), dir).md, 'utf8');
    expect(md).to.contain('| updates latency from the send p50 / p95 / p99 / p99.9 / max | 2.00 ms / 6.00 ms / 6.00 ms / 6.00 ms / 6.00 ms (1,000 measured) |');
    expect(md).to.contain('| alerts latency from the send p50 / p95 / p99 / p99.9 / max | 3.00 ms / 7.00 ms / 7.00 ms / 7.00 ms / 7.00 ms (1,000 measured) |');
    expect(md).to.contain('| load generator lateness (due → sent) p50 / p95 / p99 / p99.9 / max | 1.50 ms / 2.50 ms / 2.50 ms / 2.50 ms / 2.50 ms (1,000 measured) |');
    expect(md).to.contain('leaves out the generator\'s own lateness');
  });

  it('shows how long each process waited for a core, and the CPU pressure, when the run measured them', () => {
    const base = makeReport();
    expect(readFileSync(writeReport(base, dir).md, 'utf8'), 'reports from before the measure').to.not.match(/wait for a core|CPU pressure/);
    const report = makeReport({
      processes: [{ ...base.processes[0]!, cpuWaitAvgPct: 30.4 }, { ...base.processes[1]!, cpuWaitAvgPct: null }],
      cpuPressureAvgPct: 87.6,
    });
    const md = readFileSync(writeReport(report, dir).md, 'utf8');
    expect(md).to.contain('| CPU pressure (time some task waited for a core) | 88 % |');
    expect(md).to.contain('| process | pid | avg CPU % | max CPU % | avg wait for a core % | max RSS MB |');
    expect(md).to.contain('| kafka | 101 | 21 | 40 | 30 | 1,101 |');
    expect(md).to.contain('| node-1 | 202 | 56 | 90 | n/a | 250 |');
    expect(md).to.contain('| **sum** |  | 77 |  | 30 |  |');
  });

  it('adds the knee and fan-out tables when present, and shows an oracle failure', () => {
    const report = makeReport({
      scenario: 'max',
      knee: {
        ratePerS: 40_000,
        reason: 'p99 1,200 ms > 1,000 ms | lag grew',
        steps: [
          { ratePerS: 20_000, p99: 12.5, lagGrowthPerS: 0, ok: true },
          { ratePerS: 40_000, p99: 80.25, lagGrowthPerS: 3, ok: true },
          { ratePerS: 60_000, p99: 1_200, lagGrowthPerS: 5_000, ok: false },
        ],
      },
      fanout: { clients: 500, slowClients: 50, framesReceived: 1_234_567, conflated: 4_000, dropped: 12, disconnected: 2 },
      oracle: { ...makeReport().oracle, ok: false, missing: 3, duplicates: 1, detail: ['window 12:00:01 missing for key a'] },
    });
    const md = readFileSync(writeReport(report, dir).md, 'utf8');
    expect(md).to.contain('Highest rate that held both bounds: **40,000 events/s**');
    expect(md).to.contain('| 60,000 | 1,200 ms | 5,000 | no |');
    expect(md).to.contain('| 500 | 50 | 1,234,567 | 4,000 | 12 | 2 |');
    expect(md).to.contain('| oracle | FAIL (3 missing, 1 duplicates) |');
    expect(md).to.contain('- window 12:00:01 missing for key a');
  });
});

describe('performanceRow', () => {
  it('fills one row with as many cells as the header', () => {
    const row = performanceRow(makeReport());
    const [header, sep] = PERFORMANCE_HEADER.split('\n');
    expect(cells(row)).to.have.length(cells(header ?? '').length);
    expect(cells(sep ?? '')).to.have.length(12);
    expect(cells(row)).to.deep.equal(['steady', '10,000', '9,998', '7.50 ms', '8.13 ms', '9.38 ms', '599,400', '0.00050 %', '77 %', '–', '3.77 %', 'pass']);
    expect(cells(performanceRow({ ...makeReport(), cpuPressureAvgPct: 91.4 }))[9]).to.equal('91 %');
  });

  it('names the knee of a ramp in the scenario cell', () => {
    const r: RunReport = { ...makeReport(), scenario: 'max', knee: { ratePerS: 7_629, reason: 'p99', steps: [] } };
    expect(cells(performanceRow(r))[0]).to.equal('max (knee 7,629/s)');
  });

  it('shows what was not measured as "–"', () => {
    const base = makeReport();
    const r: RunReport = { ...base, kafkaLimit: null, latency: { ...base.latency, alerts: { ...base.latency.alerts, count: 0 } } };
    const c = cells(performanceRow(r));
    expect(c[5]).to.equal('–');
    expect(c[9], 'CPU pressure (not in reports before it was measured)').to.equal('–');
    expect(c[10]).to.equal('–');
  });
});

describe('report helpers', () => {
  it('stamps files with the UTC start time', () => {
    expect(fileStamp('2026-01-02T03:04:05+02:00')).to.equal('20260102-010405');
    expect(fileStamp('nonsense')).to.match(/^\d{8}-\d{6}$/);
  });

  it('words the oracle verdict', () => {
    const o = makeReport().oracle;
    expect(oracleVerdict({ ...o, checked: false, detail: ['no oracle for this scenario'] }, true)).to.equal('not checked (no oracle for this scenario)');
    expect(oracleVerdict({ ...o, ok: false, wrongValues: 2, dlqReceived: 59 })).to.equal('FAIL (2 wrong values, DLQ 59/60)');
  });
});
