// The picture of a load-test run that goes next to its Markdown report: latency and throughput per
// second, so a stall, a lag build-up or a latency spike shows where in the run it happened. Plain SVG
// strings, no charting dependency: the file must render on GitHub and in any browser as-is.

import type { RunReport, SecondSample } from './types.ts';

const W = 900;
const H = 520;
const LEFT = 68;
const RIGHT = W - 68;
const TOP_PANEL = { top: 70, bottom: 250 };
const BOTTOM_PANEL = { top: 304, bottom: 470 };

const COLORS = {
  updP50: '#7fb3e6',
  updP99: '#1f5fa8',
  alertP99: '#d9480f',
  target: '#868e96',
  sent: '#2b8a3e',
  processed: '#1971c2',
  lag: '#9c36b5',
  grid: '#e9ecef',
  warmup: 'rgba(134, 142, 150, 0.12)',
  axis: '#495057',
  text: '#212529',
};

/** A coordinate for the SVG text: finite, one decimal. */
const c = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 10) / 10) : '0');

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

/** 950 → "950", 12_300 → "12.3k", 1_500_000 → "1.5M". */
export function shortNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  const trim = (x: number, unit: string): string => `${Number(x.toPrecision(3))}${unit}`;
  if (a >= 1e6) return (n < 0 ? '-' : '') + trim(a / 1e6, 'M');
  if (a >= 1e3) return (n < 0 ? '-' : '') + trim(a / 1e3, 'k');
  return String(Number(n.toFixed(a < 10 && !Number.isInteger(n) ? 1 : 0)));
}

/** A latency for an axis label: "0.5 ms", "20 ms", "2 s". */
function msLabel(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

/** A round axis maximum and tick step covering 0..max with about `ticks` steps. */
function niceLinear(max: number, ticks = 5): { max: number; step: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, step: 0.2 };
  const rough = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= rough) ?? 10) * mag;
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

interface LogScale {
  lo: number;
  hi: number;
  ticks: number[];
}

/** Whole decades around the values; 1-2-5 ticks when they span at most two decades. */
function logScale(values: number[]): LogScale {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length === 0) return { lo: 1, hi: 100, ticks: [1, 10, 100] };
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(...pos))));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...pos)));
  if (hi <= lo) hi = lo * 10;
  const decades = Math.round(Math.log10(hi / lo));
  const ticks: number[] = [];
  for (let d = 0; d <= decades; d++) {
    const base = lo * 10 ** d;
    for (const m of decades <= 2 ? [1, 2, 5] : [1]) {
      const v = Number((base * m).toPrecision(3));
      if (v <= hi) ticks.push(v);
    }
  }
  return { lo, hi, ticks };
}

type Point = [number, number] | null;

/** One path for a series with gaps (null points), plus dots for points that have no neighbour. */
function series(points: Point[], color: string, opts: { width?: number; dash?: string } = {}): string {
  let d = '';
  const dots: string[] = [];
  points.forEach((p, i) => {
    if (!p) return;
    const prev = points[i - 1];
    const next = points[i + 1];
    d += `${prev ? 'L' : 'M'}${c(p[0])} ${c(p[1])} `;
    if (!prev && !next) dots.push(`<circle cx="${c(p[0])}" cy="${c(p[1])}" r="2.5" fill="${color}"/>`);
  });
  const dash = opts.dash ? ` stroke-dasharray="${opts.dash}"` : '';
  return `<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="${opts.width ?? 1.5}"${dash} stroke-linejoin="round"/>${dots.join('')}`;
}

function legend(x: number, y: number, items: Array<{ label: string; color: string; dash?: string }>): string {
  let out = '';
  let at = x;
  for (const it of items) {
    const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : '';
    out += `<line x1="${c(at)}" y1="${c(y - 4)}" x2="${c(at + 18)}" y2="${c(y - 4)}" stroke="${it.color}" stroke-width="2"${dash}/>`;
    out += `<text x="${c(at + 22)}" y="${c(y)}" font-size="11" fill="${COLORS.text}">${esc(it.label)}</text>`;
    at += 30 + it.label.length * 6.2;
  }
  return out;
}

function frame(panel: { top: number; bottom: number }): string {
  return `<rect x="${LEFT}" y="${panel.top}" width="${RIGHT - LEFT}" height="${panel.bottom - panel.top}" fill="none" stroke="${COLORS.axis}" stroke-width="1"/>`;
}

function noData(panel: { top: number; bottom: number }, text: string): string {
  return `<text x="${c((LEFT + RIGHT) / 2)}" y="${c((panel.top + panel.bottom) / 2)}" font-size="13" fill="${COLORS.target}" text-anchor="middle">${esc(text)}</text>`;
}

function headline(r: RunReport): string {
  const oracle = !r.oracle.checked ? 'oracle not checked' : r.oracle.ok ? 'oracle ok' : 'oracle FAILED';
  const alerts = r.latency.alerts.count > 0 ? ` · alerts p99 ${msLabel(r.latency.alerts.p99)}` : '';
  return (
    `${shortNumber(r.events.achievedPerS)}/s of ${shortNumber(r.events.targetPerS)}/s target · ` +
    `updates p50 ${msLabel(r.latency.updates.p50)} p99 ${msLabel(r.latency.updates.p99)}${alerts} · ` +
    `lag max ${shortNumber(r.lag.max)} · errors ${shortNumber(r.events.errors)} · ${oracle}`
  );
}

/** A self-contained SVG (900×520): latency per second on top, throughput and consumer lag below. */
export function renderChart(report: RunReport): string {
  const samples: SecondSample[] = report.seconds.filter((s) => Number.isFinite(s.t));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="24" font-size="16" font-weight="600" fill="${COLORS.text}">${esc(`rtap load test: ${report.scenario}`)}</text>`);
  out.push(`<text x="${LEFT}" y="42" font-size="11.5" fill="${COLORS.axis}">${esc(headline(report))}</text>`);

  // x: seconds since the load started
  const ts = samples.map((s) => s.t);
  const tMin = Math.min(0, ...ts);
  const tMax = Math.max(tMin + 1, ...ts, report.durationS > 0 ? report.durationS : 0);
  const x = (t: number): number => LEFT + ((t - tMin) / (tMax - tMin)) * (RIGHT - LEFT);
  const xt = niceLinear(tMax - tMin, 10);
  for (let i = 0; tMin + i * xt.step <= tMax + 1e-9; i++) {
    const t = tMin + i * xt.step;
    for (const p of [TOP_PANEL, BOTTOM_PANEL]) out.push(`<line x1="${c(x(t))}" y1="${p.top}" x2="${c(x(t))}" y2="${p.bottom}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${c(x(t))}" y="${BOTTOM_PANEL.bottom + 16}" font-size="11" fill="${COLORS.axis}" text-anchor="middle">${esc(shortNumber(t))}</text>`);
  }
  out.push(`<text x="${c((LEFT + RIGHT) / 2)}" y="${BOTTOM_PANEL.bottom + 34}" font-size="11" fill="${COLORS.axis}" text-anchor="middle">seconds since the load started</text>`);

  // The warm-up (not in the overall figures) as a shaded band.
  if (report.warmupS > 0) {
    const w = x(Math.min(report.warmupS, tMax)) - x(0);
    for (const p of [TOP_PANEL, BOTTOM_PANEL]) out.push(`<rect x="${c(x(0))}" y="${p.top}" width="${c(w)}" height="${p.bottom - p.top}" fill="${COLORS.warmup}"/>`);
    out.push(`<text x="${c(x(0) + 4)}" y="${TOP_PANEL.top + 12}" font-size="10.5" fill="${COLORS.axis}">warm-up</text>`);
  }

  // top: latency, log scale
  const lat = logScale(samples.flatMap((s) => [s.updates?.p50, s.updates?.p99, s.alerts?.p99].filter((v): v is number => v !== undefined)));
  const yLat = (ms: number): number => {
    const v = Math.min(lat.hi, Math.max(lat.lo, ms));
    const f = Math.log10(v / lat.lo) / Math.log10(lat.hi / lat.lo);
    return TOP_PANEL.bottom - f * (TOP_PANEL.bottom - TOP_PANEL.top);
  };
  for (const tick of lat.ticks) {
    out.push(`<line x1="${LEFT}" y1="${c(yLat(tick))}" x2="${RIGHT}" y2="${c(yLat(tick))}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${LEFT - 6}" y="${c(yLat(tick) + 4)}" font-size="11" fill="${COLORS.axis}" text-anchor="end">${esc(msLabel(tick))}</text>`);
  }
  out.push(`<text transform="translate(16 ${c((TOP_PANEL.top + TOP_PANEL.bottom) / 2)}) rotate(-90)" font-size="11" fill="${COLORS.axis}" text-anchor="middle">latency (log)</text>`);
  out.push(frame(TOP_PANEL));
  out.push(legend(LEFT, TOP_PANEL.top - 8, [
    { label: 'updates p50', color: COLORS.updP50 },
    { label: 'updates p99', color: COLORS.updP99 },
    { label: 'alerts p99', color: COLORS.alertP99 },
  ]));
  const hasLatency = samples.some((s) => s.updates !== null || s.alerts !== null);
  if (hasLatency) {
    const pts = (pick: (s: SecondSample) => number | undefined): Point[] =>
      samples.map((s) => {
        const v = pick(s);
        return v === undefined || !Number.isFinite(v) ? null : [x(s.t), yLat(v)];
      });
    out.push(series(pts((s) => s.updates?.p50), COLORS.updP50));
    out.push(series(pts((s) => s.updates?.p99), COLORS.updP99, { width: 2 }));
    out.push(series(pts((s) => s.alerts?.p99), COLORS.alertP99, { width: 1.5 }));
  } else {
    out.push(noData(TOP_PANEL, samples.length === 0 ? 'no samples' : 'no latency measured'));
  }

  // bottom: events/s on the left axis, consumer lag on the right
  // 5 % headroom so a steady rate does not run along the frame
  const rate = niceLinear(1.05 * Math.max(0, ...samples.flatMap((s) => [s.target, s.sent, s.processed].filter(Number.isFinite))));
  const lag = niceLinear(Math.max(0, ...samples.map((s) => s.lag).filter(Number.isFinite)));
  const yOf = (scale: { max: number }) => (v: number): number =>
    BOTTOM_PANEL.bottom - (Math.min(scale.max, Math.max(0, v)) / scale.max) * (BOTTOM_PANEL.bottom - BOTTOM_PANEL.top);
  const yRate = yOf(rate);
  const yLag = yOf(lag);
  for (let i = 0; i * rate.step <= rate.max + 1e-9; i++) {
    const v = i * rate.step;
    out.push(`<line x1="${LEFT}" y1="${c(yRate(v))}" x2="${RIGHT}" y2="${c(yRate(v))}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${LEFT - 6}" y="${c(yRate(v) + 4)}" font-size="11" fill="${COLORS.axis}" text-anchor="end">${esc(shortNumber(v))}</text>`);
  }
  for (let i = 0; i * lag.step <= lag.max + 1e-9; i++) {
    const v = i * lag.step;
    out.push(`<text x="${RIGHT + 6}" y="${c(yLag(v) + 4)}" font-size="11" fill="${COLORS.lag}">${esc(shortNumber(v))}</text>`);
  }
  out.push(`<text transform="translate(16 ${c((BOTTOM_PANEL.top + BOTTOM_PANEL.bottom) / 2)}) rotate(-90)" font-size="11" fill="${COLORS.axis}" text-anchor="middle">events/s</text>`);
  out.push(`<text transform="translate(${W - 12} ${c((BOTTOM_PANEL.top + BOTTOM_PANEL.bottom) / 2)}) rotate(90)" font-size="11" fill="${COLORS.lag}" text-anchor="middle">consumer lag (records)</text>`);
  out.push(frame(BOTTOM_PANEL));
  out.push(legend(LEFT, BOTTOM_PANEL.top - 8, [
    { label: 'target', color: COLORS.target, dash: '5 3' },
    { label: 'sent', color: COLORS.sent },
    { label: 'processed', color: COLORS.processed },
    { label: 'lag (right axis)', color: COLORS.lag, dash: '2 2' },
  ]));
  if (samples.length > 0) {
    const pts = (pick: (s: SecondSample) => number, y: (v: number) => number): Point[] =>
      samples.map((s) => (Number.isFinite(pick(s)) ? [x(s.t), y(pick(s))] : null));
    out.push(series(pts((s) => s.target, yRate), COLORS.target, { dash: '5 3' }));
    out.push(series(pts((s) => s.sent, yRate), COLORS.sent, { width: 2 }));
    out.push(series(pts((s) => s.processed, yRate), COLORS.processed));
    out.push(series(pts((s) => s.lag, yLag), COLORS.lag, { dash: '2 2' }));
  } else {
    out.push(noData(BOTTOM_PANEL, 'no samples'));
  }

  out.push('</svg>');
  return out.join('\n') + '\n';
}
