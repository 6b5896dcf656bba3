// The load-test scenarios: `make loadtest SCENARIO=<name>`. Each one is bounded (it stops by
// itself); DURATION=<s>, RATE=<events/s>, NODES=<n> and PARTITIONS=<n> override the defaults for a run.
import type { RateSegment } from './rate-schedule.ts';

export interface Scenario {
  name: string;
  description: string;
  /** Seconds of load, the warm-up included. */
  durationS: number;
  /**
   * The first seconds of load, whose events are in the per-second figures and the chart but not in
   * the run's overall latency (JIT compilation, fresh connections and topics settle), as benchmark
   * tools (JMH, wrk2) exclude their warm-up. The oracle checks every event, warm-up included.
   */
  warmupS: number;
  /** The rate profile (the `max` scenario extends it step by step while running). */
  segments: RateSegment[];
  /** A steady scenario's rate after its warm-up ramp (what RATE overrides). */
  rate?: number;
  nodes: number;
  /** Partitions of the run's input topic (one partition actor each). */
  partitions: number;
  /** Extra WebSocket clients besides the latency probe; `slow` of them never read their socket. */
  fanout?: { clients: number; slow: number };
  /** kill -9 the last node at `killAtS`, start a new one at `spawnAtS`. */
  failover?: { killAtS: number; spawnAtS: number };
  /** After the warm-up at `startRate`, raise the rate by `factor` every `stepS` until a step breaks a bound; report the knee. */
  max?: { startRate: number; factor: number; stepS: number; maxSteps: number; p99LimitMs: number };
  /**
   * The load-test process yields the cores to the pipeline (runs at nice NICE once the cluster is
   * up), standing in for producers and dashboards on hosts of their own. What it is late for still
   * counts against the pipeline: latency runs from each event's due time to the probe's receipt
   * (open loop). Off where the generator must win the cores to offer its rate on a saturated
   * machine (`50k`, `max`, `spike`, `fanout`'s 300 clients) and for `failover`, whose new node
   * would inherit the priority.
   */
  yieldCores: boolean;
}

/** The cluster every scenario runs, as `make cluster-up` starts it: two nodes, 12 input partitions. */
const CLUSTER = { nodes: 2, partitions: 12 } as const;

/** Every scenario's warm-up, except the short CI smoke run's. */
const WARMUP_S = 10;

/**
 * A steady scenario's rate profile: the warm-up climbs to `rate` in 1 s steps over its first half
 * (rate/6, 2·rate/6, … for a 10 s warm-up) and holds it for the second half, as traffic and load
 * tools (k6 stages, Gatling ramps) do: freshly started nodes compile their hot code while the load
 * grows, instead of meeting the full rate cold and spending the measured seconds on the backlog of
 * their first seconds. Cold starts under full load are what `spike` and `failover` measure.
 */
export function steadySegments(rate: number, warmupS: number): RateSegment[] {
  const rampS = Math.floor(warmupS / 2);
  const segments: RateSegment[] = [];
  for (let s = 0; s < rampS; s++) segments.push({ fromS: s, rate: (rate * (s + 1)) / (rampS + 1) });
  segments.push({ fromS: rampS, rate });
  return segments;
}

/** `measuredS` seconds at `rate` after the warm-up. */
const steady = (name: string, rate: number, measuredS: number, description: string, warmupS = WARMUP_S): Scenario => ({
  name,
  description,
  durationS: warmupS + measuredS,
  warmupS,
  segments: steadySegments(rate, warmupS),
  rate,
  ...CLUSTER,
  yieldCores: true,
});

export const SCENARIOS: Record<string, Scenario> = {
  smoke: steady('smoke', 1_000, 12, 'A short run for CI: every measurement and the oracle check, at 1,000 events/s for 15 s.', 3),
  normal: steady('normal', 200, 60, "The original README's normal load: 200 events/s."),
  peak: steady('peak', 500, 60, "The original README's peak load: 500 events/s."),
  stress: steady('stress', 1_000, 60, "The original README's stress load: 1,000 events/s."),
  '10k': steady('10k', 10_000, 60, 'Latency goal: p99 ≤ 25 ms at 10,000 events/s.'),
  '50k': { ...steady('50k', 50_000, 60, 'Throughput goal: 50,000 events/s sustained with bounded lag.'), yieldCores: false },
  max: {
    name: 'max',
    description: "After 15 s of warm-up at the original README's 200 events/s, raises the rate ×1.25 every 15 s (up to ~34,000/s) until the consumer lag grows without bound or p99 passes 100 ms in a step and in its repeat; reports the knee.",
    // 24 rates, and room for a few repeated steps.
    durationS: 15 + 30 * 15,
    warmupS: 15,
    segments: [{ fromS: 0, rate: 200 }],
    ...CLUSTER,
    yieldCores: false,
    max: { startRate: 200, factor: 1.25, stepS: 15, maxSteps: 24, p99LimitMs: 100 },
  },
  soak: steady('soak', 5_000, 30 * 60, 'Soak: 5,000 events/s for 30 minutes (memory, lag and latency must stay flat).'),
  spike: {
    name: 'spike',
    description: 'Spike: 2,000 events/s, then 20,000 events/s for 10 s, then back to 2,000 events/s.',
    durationS: 60,
    warmupS: WARMUP_S,
    segments: [
      { fromS: 0, rate: 2_000 },
      { fromS: 20, rate: 20_000 },
      { fromS: 30, rate: 2_000 },
    ],
    ...CLUSTER,
    yieldCores: false,
  },
  failover: {
    name: 'failover',
    description: 'Failover: 5,000 events/s; kill -9 a node at 30 s, start a new one at 35 s. Nothing may be lost or duplicated.',
    durationS: 90,
    warmupS: WARMUP_S,
    segments: [{ fromS: 0, rate: 5_000 }],
    ...CLUSTER,
    yieldCores: false,
    failover: { killAtS: 30, spawnAtS: 35 },
  },
  fanout: {
    name: 'fanout',
    description: 'Fan-out: 300 WebSocket clients (30 of them never read; every 10th reader measures its alerts) on page views and alerts, at 2,000 events/s.',
    durationS: 60,
    warmupS: WARMUP_S,
    segments: [{ fromS: 0, rate: 2_000 }],
    ...CLUSTER,
    yieldCores: false,
    fanout: { clients: 300, slow: 30 },
  },
};

/** The scenario with the overrides a user gave (DURATION, RATE, NODES, PARTITIONS); fails naming the bad one. */
export function resolveScenario(name: string | undefined, env: NodeJS.ProcessEnv): Scenario {
  const base = name ? SCENARIOS[name] : undefined;
  if (!base) throw new Error(`loadtest: unknown SCENARIO '${name ?? ''}'; one of: ${Object.keys(SCENARIOS).join(', ')}`);
  const positive = (key: string): number | undefined => {
    const raw = env[key];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`loadtest: ${key} must be a positive number (got '${raw}')`);
    return n;
  };
  const scenario: Scenario = { ...base, segments: [...base.segments] };
  const duration = positive('DURATION');
  if (duration !== undefined) {
    // Whole seconds (the per-second samples): 10.4 after a 10 s warm-up would measure nothing.
    if (Math.round(duration) <= scenario.warmupS) throw new Error(`loadtest: DURATION must exceed the ${scenario.warmupS} s warm-up of '${scenario.name}' (got ${duration})`);
    scenario.durationS = Math.round(duration);
  }
  const rate = positive('RATE');
  if (rate !== undefined) {
    if (scenario.rate === undefined) throw new Error(`loadtest: RATE applies to steady scenarios only, not '${scenario.name}'`);
    scenario.rate = rate;
    scenario.segments = steadySegments(rate, scenario.warmupS);
  }
  const nodes = positive('NODES');
  if (nodes !== undefined) scenario.nodes = Math.round(nodes);
  const partitions = positive('PARTITIONS');
  if (partitions !== undefined) {
    // The generator keeps an event's partition in a byte (PreparedLoad).
    if (!Number.isInteger(partitions) || partitions > 256) throw new Error(`loadtest: PARTITIONS must be an integer from 1 to 256 (got ${partitions})`);
    scenario.partitions = partitions;
  }
  return scenario;
}

/** Priority of the load-test process where the scenario yields the cores: NICE=0 (the A/B) … 19; default 10. */
export function niceOf(env: NodeJS.ProcessEnv): number {
  const raw = env.NICE ?? '';
  if (raw === '') return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`loadtest: NICE must be an integer from 0 to 19 (got '${raw}')`);
  return n;
}

/** TRACING=0 runs the load with tracing off in every process (the A/B that prices tracing); default on. */
export function tracingOf(env: NodeJS.ProcessEnv): boolean {
  const raw = env.TRACING ?? '';
  if (raw !== '' && raw !== '0' && raw !== '1') throw new Error(`loadtest: TRACING must be 0 or 1 (got '${raw}')`);
  return raw !== '0';
}
