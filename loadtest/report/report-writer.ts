// Turns a finished load-test run into files a person reads and a later run compares against:
// <scenario>-<stamp>.json (everything, for tooling), .md (the report) and .svg (the chart), plus
// <scenario>-latest.* copies so docs and scripts can point at a stable name. Also the one-row summary
// docs/performance.md collects per scenario.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { renderChart } from './chart.ts';
import type { LatencySummary, OracleCheck, ProcessUsage, RunReport, SecondSample } from './types.ts';

// ---- formatting -------------------------------------------------------------------------------

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

/** A latency in ms with sensible precision: 0.412 ms, 8.12 ms, 43.5 ms, 1,204 ms. */
export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v < 1) return `${v.toFixed(3)} ms`;
  if (v < 10) return `${v.toFixed(2)} ms`;
  if (v < 100) return `${v.toFixed(1)} ms`;
  return `${fmtInt(v)} ms`;
}

/** A fraction as a percentage: 0.0012 → "0.12 %", 0.9998 → "99.98 %" (never rounded up to 100). */
function fmtFraction(f: number): string {
  if (!Number.isFinite(f)) return '–';
  const p = f * 100;
  if (p === 0) return '0 %';
  return `${p < 0.01 ? p.toPrecision(2) : p < 100 ? p.toFixed(2) : p.toFixed(1)} %`;
}

const fmtLatency = (s: LatencySummary, pick: (s: LatencySummary) => number): string => (s.count > 0 ? fmtMs(pick(s)) : '–');

/** Text safe inside a Markdown table cell. */
const cell = (s: string | number | boolean): string => String(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const row = (cells: Array<string | number | boolean>): string => `| ${cells.map(cell).join(' | ')} |`;

/** Mean of `pick` over the measured seconds (after the warm-up, whose rate ramps up); undefined when there are none. */
export function measuredMean(r: Pick<RunReport, 'seconds' | 'warmupS'>, pick: (s: SecondSample) => number): number | undefined {
  const measured = r.seconds.filter((s) => s.t > r.warmupS);
  return measured.length > 0 ? measured.reduce((n, s) => n + pick(s), 0) / measured.length : undefined;
}

/** Processed events per minute over the measured seconds of load (the whole load when there are none). */
export function throughputPerMin(r: RunReport): number {
  const perS = measuredMean(r, (s) => s.processed) ?? (r.durationS > 0 ? r.events.processed / r.durationS : 0);
  return perS * 60;
}

/** "pass", "FAIL (…)" or "not checked (…)": the oracle's verdict in a few words. */
export function oracleVerdict(o: OracleCheck, long = false): string {
  if (!o.checked) return long && o.detail[0] ? `not checked (${o.detail[0]})` : 'not checked';
  const dlq = o.dlqExpected > 0 || o.dlqReceived > 0 ? `, DLQ ${fmtInt(o.dlqReceived)}/${fmtInt(o.dlqExpected)}` : '';
  if (o.ok) return long ? `pass: ${fmtInt(o.received)}/${fmtInt(o.expected)} results${dlq}` : 'pass';
  const problems = [
    o.missing > 0 ? `${fmtInt(o.missing)} missing` : '',
    o.unexpected > 0 ? `${fmtInt(o.unexpected)} unexpected` : '',
    o.wrongValues > 0 ? `${fmtInt(o.wrongValues)} wrong values` : '',
    o.duplicates > 0 ? `${fmtInt(o.duplicates)} duplicates` : '',
    o.dlqReceived !== o.dlqExpected ? `DLQ ${fmtInt(o.dlqReceived)}/${fmtInt(o.dlqExpected)}` : '',
  ].filter(Boolean);
  return `FAIL${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`;
}

/** `20261125-143005` (UTC) of the run's start; now when startedAt does not parse. */
export function fileStamp(startedAt: string): string {
  const t = Date.parse(startedAt);
  const iso = new Date(Number.isFinite(t) ? t : Date.now()).toISOString(); // 2026-11-25T14:30:05.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-') || 'run';

// ---- docs/performance.md ----------------------------------------------------------------------

/** The header and separator lines of the docs/performance.md table that `performanceRow` fills. */
export const PERFORMANCE_HEADER =
  '| scenario | target/s | achieved/s | p95 upd | p99 upd | p99 alert | throughput/min | error rate | CPU (sum of processes, % of a core) | CPU pressure | ratio to Kafka limit | oracle |\n' +
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|';

/** One row of the docs/performance.md table. */
export function performanceRow(r: RunReport): string {
  return row([
    // `max` ramps, so its averages mix every step: the knee is the figure that matters.
    r.knee ? `${r.scenario} (knee ${fmtInt(r.knee.ratePerS)}/s)` : r.scenario,
    fmtInt(r.events.targetPerS),
    fmtInt(r.events.achievedPerS),
    fmtLatency(r.latency.updates, (s) => s.p95),
    fmtLatency(r.latency.updates, (s) => s.p99),
    fmtLatency(r.latency.alerts, (s) => s.p99),
    fmtInt(throughputPerMin(r)),
    fmtFraction(r.events.errorRate),
    `${fmtInt(r.cpuTotalAvgPct)} %`,
    r.cpuPressureAvgPct != null ? `${fmtInt(r.cpuPressureAvgPct)} %` : '–',
    r.kafkaLimit ? fmtFraction(r.kafkaLimit.ratio) : '–',
    oracleVerdict(r.oracle),
  ]);
}

// ---- the Markdown report ----------------------------------------------------------------------

/** The report as Markdown; `svgFile` is the chart's file name next to it. */
export function renderMarkdown(r: RunReport, svgFile: string): string {
  const L: string[] = [];
  const latencyCells = (s: LatencySummary): string =>
    s.count > 0 ? [s.p50, s.p95, s.p99, s.p999, s.max].map(fmtMs).join(' / ') + ` (${fmtInt(s.count)} measured)` : 'none measured';
  const achievedShare = r.events.targetPerS > 0 ? ` (${fmtFraction(r.events.achievedPerS / r.events.targetPerS)} of target)` : '';

  L.push(`# Load test: ${r.scenario}`, '');
  if (r.description) L.push(r.description, '');
  L.push(`Started ${r.startedAt}, ${fmtInt(r.durationS)} s of load.`, '');

  L.push('| metric | value |', '|---|---|');
  L.push(row(['events/s target / achieved', `${fmtInt(r.events.targetPerS)} / ${fmtInt(r.events.achievedPerS)}${achievedShare}`]));
  L.push(row(['updates latency p50 / p95 / p99 / p99.9 / max', latencyCells(r.latency.updates)]));
  L.push(row(['alerts latency p50 / p95 / p99 / p99.9 / max', latencyCells(r.latency.alerts)]));
  const { fromSend, generatorLateness } = r.latency;
  if (fromSend) {
    L.push(row(['updates latency from the send p50 / p95 / p99 / p99.9 / max', latencyCells(fromSend.updates)]));
    L.push(row(['alerts latency from the send p50 / p95 / p99 / p99.9 / max', latencyCells(fromSend.alerts)]));
  }
  if (generatorLateness) L.push(row(['load generator lateness (due → sent) p50 / p95 / p99 / p99.9 / max', latencyCells(generatorLateness)]));
  L.push(row(['throughput (processed)', `${fmtInt(throughputPerMin(r))} events/min`]));
  L.push(row(['events sent / processed', `${fmtInt(r.events.sent)} / ${fmtInt(r.events.processed)}`]));
  L.push(row(['bad records sent / in DLQ', `${fmtInt(r.events.badRecords)} / ${fmtInt(r.events.dlq)}`]));
  L.push(row(['errors / error rate', `${fmtInt(r.events.errors)} / ${fmtFraction(r.events.errorRate)}`]));
  L.push(row(['consumer lag max / final', `${fmtInt(r.lag.max)} / ${fmtInt(r.lag.final)}`]));
  L.push(row(['CPU, sum of process averages', `${fmtInt(r.cpuTotalAvgPct)} % of a core`]));
  if (r.cpuPressureAvgPct != null) L.push(row(['CPU pressure (time some task waited for a core)', `${fmtInt(r.cpuPressureAvgPct)} %`]));
  if (r.kafkaLimit) {
    L.push(row(['Kafka producer limit / achieved share', `${fmtInt(r.kafkaLimit.producePerS)}/s / ${fmtFraction(r.kafkaLimit.ratio)}`]));
  }
  L.push(row(['oracle', oracleVerdict(r.oracle, true)]));
  L.push('');
  L.push(`Latencies are measured from each event's intended send time (open loop)${r.latency.fromSend ? "; the rows \"from the send\" measure the same results from when the load generator sent the event's request, which leaves out the generator's own lateness (the producer's linger and whatever held the generator back — its busy thread, a core, a pause: the lateness row) and shows the pipeline's share (cart abandonments, which complete on a timeout, are left out of it)" : ''}. The overall figures and the events/s leave out the first ${fmtInt(r.warmupS)} s (warm-up: JIT compilation, fresh connections; a steady scenario's rate climbs to its target over the first half); the per-second figures and the chart include them.`, '');

  L.push(`![latency and throughput](${svgFile})`, '');

  if (r.oracle.detail.length > 0) {
    L.push('## Oracle', '');
    for (const d of r.oracle.detail) L.push(`- ${d}`);
    L.push('');
  }

  L.push('## Processes', '');
  if (r.processes.length === 0) {
    L.push('No processes were sampled.', '');
  } else {
    const waits = r.processes.some((p) => p.cpuWaitAvgPct != null);
    L.push(`| process | pid | avg CPU % | max CPU % |${waits ? ' avg wait for a core % |' : ''} max RSS MB |`, `|---|---:|---:|---:|${waits ? '---:|' : ''}---:|`);
    const waitCell = (p: ProcessUsage): string[] => (waits ? [p.cpuWaitAvgPct == null ? 'n/a' : fmtInt(p.cpuWaitAvgPct)] : []);
    for (const p of r.processes) L.push(row([p.name, p.pid, fmtInt(p.cpuAvgPct), fmtInt(p.cpuMaxPct), ...waitCell(p), fmtInt(p.rssMaxMb)]));
    const waitSum = r.processes.reduce((n, p) => n + (p.cpuWaitAvgPct ?? 0), 0);
    L.push(row(['**sum**', '', fmtInt(r.cpuTotalAvgPct), '', ...(waits ? [fmtInt(waitSum)] : []), '']));
    L.push('', `CPU in % of one core (200 = both cores of a 2-core machine).${waits ? ' "Wait for a core": the time the process\'s threads were ready to run but every core was taken (the scheduler\'s run-queue delay), in the same unit — 40 = 400 ms of waiting a second, summed over its threads. Where it is as large as the CPU itself, the machine is saturated and every hop queues for a core.' : ''}`, '');
  }

  if (r.knee) {
    L.push('## Knee', '');
    L.push(`Highest rate that held both bounds: **${fmtInt(r.knee.ratePerS)} events/s**. Next step: ${r.knee.reason}`, '');
    if (r.knee.steps.length > 0) {
      L.push('| rate/s | p99 | lag growth/s | held |', '|---:|---:|---:|---|');
      for (const s of r.knee.steps) L.push(row([fmtInt(s.ratePerS), fmtMs(s.p99), fmtInt(s.lagGrowthPerS), s.ok ? 'yes' : 'no']));
      L.push('');
    }
  }

  if (r.fanout) {
    const f = r.fanout;
    L.push('## Fan-out', '');
    L.push('| clients | slow clients | frames received | conflated | dropped | disconnected |', '|---:|---:|---:|---:|---:|---:|');
    L.push(row([f.clients, f.slowClients, f.framesReceived, f.conflated, f.dropped, f.disconnected].map(fmtInt)));
    L.push('');
  }

  L.push('## Settings', '');
  const settings = Object.entries(r.settings);
  if (settings.length === 0) L.push('None recorded.', '');
  else {
    L.push('| setting | value |', '|---|---|');
    for (const [k, v] of settings) L.push(row([`\`${k}\``, v]));
    L.push('');
  }

  if (r.notes.length > 0) {
    L.push('## Notes', '');
    for (const n of r.notes) L.push(`- ${n}`);
    L.push('');
  }

  const m = r.machine;
  L.push('## Machine', '');
  L.push(`${m.cpus} × ${m.cpuModel}, ${fmtInt(m.memGiB)} GiB RAM, Node ${m.node}, kernel ${m.kernel}.`, '');
  return L.join('\n');
}

// ---- files ------------------------------------------------------------------------------------

/** Writes via a .tmp file and a rename, so a reader never sees half a report. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes `<dir>/<scenario>-<YYYYMMDD-HHMMSS>.{json,md,svg}` (stamp: the run's start, UTC) and copies
 * them to `<dir>/<scenario>-latest.*`. Returns the paths of the stamped files.
 */
export function writeReport(report: RunReport, dir = 'loadtest/results'): { json: string; md: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const base = `${safeName(report.scenario)}-${fileStamp(report.startedAt)}`;
  const latest = `${safeName(report.scenario)}-latest`;
  const contents = {
    json: `${JSON.stringify(report, null, 2)}\n`,
    md: renderMarkdown(report, `${base}.svg`),
    svg: renderChart(report),
  };
  const paths = { json: join(dir, `${base}.json`), md: join(dir, `${base}.md`), svg: join(dir, `${base}.svg`) };
  for (const ext of ['json', 'md', 'svg'] as const) {
    writeAtomic(paths[ext], contents[ext]);
    writeAtomic(join(dir, `${latest}.${ext}`), contents[ext]);
  }
  return paths;
}
