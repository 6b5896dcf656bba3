// After a run: what the pipeline had to produce from exactly the events that were sent (the
// generator replayed with the run's schedule, through the brute-force oracles), compared with
// what the WebSocket client received — nothing missing, nothing extra, no wrong values, no
// duplicates — and the number of dead letters it had to write.
import { analyticsOracle, generateEvents, splitByPartition, type GeneratorOptions } from '../actors/testkit/index.ts';
import { patternOracle } from '../actors/patterns/oracle.ts';
import type { EventTimeOptions } from '../actors/time/event-time.ts';
import type { OracleCheck } from './report/types.ts';

export interface Expected {
  results: Map<string, string>;
  deadLetters: number;
}

/** `generator`: the options the run used; `count`: how many items it sent. */
export function expectedResults(generator: GeneratorOptions, count: number, partitions: number, time: Omit<EventTimeOptions, 'clock'>): Expected {
  const results = new Map<string, string>();
  let deadLetters = 0;
  splitByPartition(generateEvents({ ...generator, count }), partitions).forEach(({ inputs, decodeFailures }, partition) => {
    const out = analyticsOracle(inputs, { partition, createdAt: 0, ...time });
    for (const r of [...out.results, ...patternOracle(out.patternSteps, partition)]) results.set(r.id, JSON.stringify(r));
    deadLetters += decodeFailures.length + out.rejected.length;
  });
  return { results, deadLetters };
}

export function compareWithOracle(expected: Expected, received: Map<string, string>, duplicates: number, dlqReceived: number): OracleCheck {
  let missing = 0;
  let wrongValues = 0;
  const detail: string[] = [];
  for (const [id, want] of expected.results) {
    const got = received.get(id);
    if (got === undefined) {
      if (missing++ < 5) detail.push(`missing ${id}`);
    } else if (!sameResult(got, want)) {
      if (wrongValues++ < 5) detail.push(`wrong values ${id}: got ${got}, want ${want}`);
    }
  }
  let unexpected = 0;
  for (const id of received.keys()) {
    if (!expected.results.has(id) && unexpected++ < 5) detail.push(`unexpected ${id}`);
  }
  // The DLQ is at-least-once (a crash between writing a letter and the checkpoint rewrites it).
  const dlqOk = dlqReceived >= expected.deadLetters;
  if (!dlqOk) detail.push(`dead letters: ${dlqReceived} in the DLQ topic, ${expected.deadLetters} expected`);
  return {
    checked: true,
    ok: missing === 0 && unexpected === 0 && wrongValues === 0 && duplicates === 0 && dlqOk,
    expected: expected.results.size,
    received: received.size,
    missing,
    unexpected,
    wrongValues,
    duplicates,
    dlqExpected: expected.deadLetters,
    dlqReceived,
    detail,
  };
}

/** Same result: equal JSON, numbers compared to 1e-9 (sums of money may differ in the last bit). */
function sameResult(a: string, b: string): boolean {
  if (a === b) return true;
  return JSON.stringify(JSON.parse(a), round) === JSON.stringify(JSON.parse(b), round);
}

const round = (_key: string, v: unknown): unknown => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 : v);
