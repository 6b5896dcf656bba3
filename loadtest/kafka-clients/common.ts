// Shared pieces of the Kafka client comparison: settings, the result shapes, statistics.
// Every measurement runs in its own child process (see compare.ts) so the two clients never share
// a heap, a JIT or an event loop.

export const BROKERS = [process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092'];

export type ClientName = 'kafkajs' | 'platformatic';
export const CLIENTS: readonly ClientName[] = ['kafkajs', 'platformatic'];

/** Sizes of the runs; the defaults keep every run under ~30 s on the 2-vCPU dev machine. */
export const SETTINGS = {
  consumeRecords: Number(process.env.BENCH_RECORDS ?? 1_000_000),
  recordBytes: 150, // key 16 B + value 134 B
  latencyRate: Number(process.env.BENCH_LATENCY_RATE ?? 200), // msgs/s
  latencySeconds: Number(process.env.BENCH_LATENCY_SECONDS ?? 10),
  rebalanceBackgroundRate: 1200, // msgs/s produced across 12 partitions while the group rebalances
  repeat: Number(process.env.BENCH_REPEAT ?? 3),
  partitions: 12,
} as const;

export const TOPICS = {
  consume: 'bench.kc.consume',
  latency: 'bench.kc.latency',
  rebalance: 'bench.kc.rebalance',
  txIn: 'bench.kc.tx-in',
  txOut: 'bench.kc.tx-out',
} as const;

export interface ConsumeResult {
  records: number;
  bytes: number;
  /** From the consume call to the last record: includes group join and offset look-up. */
  totalMs: number;
  /** From the first record to the last: the steady-state read rate. */
  steadyMs: number;
  recordsPerSec: number;
  steadyRecordsPerSec: number;
  settings: string;
}

export interface LatencyResult {
  sent: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  settings: string;
}

export interface RebalanceResult {
  protocol: 'classic' | 'consumer';
  supported: boolean;
  /** join call → the newcomer's first assignment */
  assignedMs: number;
  /** join call → both members own partitions (the old member's narrowed assignment is in place) */
  bothOwnMs: number;
  /** join call → both members have received a record again */
  resumedMs: number;
  partitionsA: number;
  partitionsB: number;
  note: string;
}

export interface TxResult {
  idempotent: boolean;
  /** 20 idempotent send() calls issued at once to the same partition: rejected ones, and records
   * missing from the log although their send() resolved (log-end-offset delta vs 20) */
  concurrentIdempotentErrors: number;
  concurrentIdempotentLost: number;
  transactions: boolean;
  sendOffsets: boolean;
  abortHidden: boolean;
  note: string;
}

export type WorkerKind = 'consume' | 'latency' | 'rebalance' | 'tx';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

export function latencyStats(samplesMs: number[], errors: number, settings: string): LatencyResult {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    sent: sorted.length + errors,
    errors,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sum / Math.max(1, sorted.length)),
    settings,
  };
}

export function median(values: readonly number[]): number {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export const nowMs = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The value of the i-th benchmark record: 134 bytes, printable, distinct per record. */
export function recordValue(i: number): Buffer {
  const head = `{"i":${i},"t":${Date.now()},"p":"`;
  return Buffer.from(head.padEnd(132, 'x') + '"}');
}
export function recordKey(i: number): Buffer {
  return Buffer.from(`key-${String(i % 100_000).padStart(12, '0')}`);
}

/** Calls `send(i)` open-loop at `rate` per second for `seconds`, then waits for every send to finish. */
export async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<void>): Promise<void> {
  const total = rate * seconds;
  const start = nowMs();
  const pending = new Set<Promise<void>>();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) / 1000) * rate) + 1);
    while (i < due) {
      const p = send(i++).finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(1);
  }
  await Promise.allSettled([...pending]);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
