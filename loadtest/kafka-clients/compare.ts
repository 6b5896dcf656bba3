// kafkajs 2.2.4 vs @platformatic/kafka 1.x against the local broker (infra/infra.sh up).
//
//   npm run bench:kafka-clients            # everything, 3 repetitions, medians
//   BENCH_ONLY=consume,tx BENCH_REPEAT=1 npm run bench:kafka-clients
//
// Measures (1) consume throughput into a handler, (2) produce latency at a low rate (acks=all,
// idempotent), (3) consumer-group rebalance time when a second member joins (classic and KIP-848),
// (4) idempotent/transactional produce with sendOffsets, each in a fresh child process.
// Creates its own topics (bench.kc.*) and deletes them at the end. Last stdout line: one JSON object.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { CLIENTS, SETTINGS, TOPICS, median, round } from './common.ts';
import type { ClientName, ConsumeResult, LatencyResult, RebalanceResult, TxResult, WorkerKind } from './common.ts';
import * as pl from './platformatic-client.ts';

type Impl = typeof pl;
async function impl(client: ClientName): Promise<Pick<Impl, 'consumeThroughput' | 'rebalance' | 'transactions'> & { produceLatency: (topic: string, mode?: 'serialized' | 'concurrent') => Promise<LatencyResult> }> {
  return client === 'kafkajs' ? import('./kafkajs-client.ts') : pl;
}

async function worker(kind: WorkerKind, client: ClientName, arg: string | undefined): Promise<unknown> {
  const c = await impl(client);
  switch (kind) {
    case 'consume': return c.consumeThroughput(TOPICS.consume, SETTINGS.consumeRecords);
    case 'latency': return c.produceLatency(TOPICS.latency, arg === 'concurrent' ? 'concurrent' : 'serialized');
    case 'rebalance': return c.rebalance(TOPICS.rebalance, arg === 'consumer' ? 'consumer' : 'classic');
    case 'tx': return c.transactions();
  }
}

function runWorker<T>(kind: WorkerKind, client: ClientName, arg?: string): Promise<T> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--worker', kind, client, ...(arg ? [arg] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) { reject(new Error(`${kind}/${client} exited ${code} without a result:\n${out}`)); return; }
      resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a');
const log = (s: string): void => { process.stdout.write(`${s}\n`); };

async function main(): Promise<void> {
  const only = new Set((process.env.BENCH_ONLY ?? 'consume,latency,rebalance,tx').split(','));
  const R = SETTINGS.repeat;
  log(`kafka client comparison — Node ${process.version}, ${os.cpus().length} vCPU, repeat ${R}, broker ${process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092'}`);
  const all = Object.values(TOPICS);
  await pl.deleteTopics(all);
  await pl.createTopics(all, SETTINGS.partitions);

  const out: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, repeat: R };
  try {
    if (only.has('consume')) {
      const rate = await pl.preProduce(TOPICS.consume, SETTINGS.consumeRecords);
      log(`pre-produced ${SETTINGS.consumeRecords.toLocaleString()} × ${SETTINGS.recordBytes} B to ${TOPICS.consume} (${fmt(rate, 0)} rec/s)`);
      const runs: Record<ClientName, ConsumeResult[]> = { kafkajs: [], platformatic: [] };
      for (let i = 0; i < R; i++) {
        // Alternate the order so neither client always runs on a warmer page cache / quieter machine.
        for (const client of i % 2 ? [...CLIENTS].reverse() : CLIENTS) {
          const r = await runWorker<ConsumeResult>('consume', client);
          runs[client].push(r);
          log(`  consume ${client} #${i + 1}: ${fmt(r.steadyRecordsPerSec, 0)} rec/s steady, ${fmt(r.recordsPerSec, 0)} rec/s incl. join (${fmt(r.totalMs / 1000, 2)} s)`);
        }
      }
      out.consume = Object.fromEntries(CLIENTS.map((c) => [c, {
        steadyRecordsPerSec: median(runs[c].map((r) => r.steadyRecordsPerSec)),
        recordsPerSecInclJoin: median(runs[c].map((r) => r.recordsPerSec)),
        steadyMBps: round(median(runs[c].map((r) => r.bytes / 1e6 / (r.steadyMs / 1000))), 1),
        runs: runs[c].map((r) => r.steadyRecordsPerSec),
        settings: runs[c][0]?.settings,
      }]));
    }

    if (only.has('latency')) {
      const runs: Record<ClientName, LatencyResult[]> = { kafkajs: [], platformatic: [] };
      for (let i = 0; i < R; i++) {
        for (const client of i % 2 ? [...CLIENTS].reverse() : CLIENTS) {
          const r = await runWorker<LatencyResult>('latency', client);
          runs[client].push(r);
          log(`  latency ${client} #${i + 1}: p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 2)} ms (${r.sent} sent, ${r.errors} errors)`);
        }
      }
      // platformatic with every send() issued at once (no app-side queue): shows the idempotence bug.
      const conc = await runWorker<LatencyResult>('latency', 'platformatic', 'concurrent');
      log(`  latency platformatic concurrent sends: p50 ${fmt(conc.p50, 2)} ms, p99 ${fmt(conc.p99, 2)} ms (${conc.sent} sent, ${conc.errors} errors) ${conc.settings}`);
      out.latency = {
        ...Object.fromEntries(CLIENTS.map((c) => [c, {
          p50: median(runs[c].map((r) => r.p50)), p99: median(runs[c].map((r) => r.p99)), max: median(runs[c].map((r) => r.max)),
          errors: runs[c].reduce((a, r) => a + r.errors, 0), runsP99: runs[c].map((r) => r.p99), settings: runs[c][0]?.settings,
        }])),
        platformaticConcurrentIdempotent: { sent: conc.sent, errors: conc.errors, settings: conc.settings },
      };
    }

    if (only.has('rebalance')) {
      const cases: [ClientName, 'classic' | 'consumer'][] = [['kafkajs', 'classic'], ['platformatic', 'classic'], ['platformatic', 'consumer'], ['kafkajs', 'consumer']];
      const res: Record<string, RebalanceResult[]> = {};
      for (let i = 0; i < R; i++) {
        for (const [client, protocol] of cases) {
          const key = `${client}/${protocol}`;
          if (i > 0 && res[key]?.[0]?.supported === false) continue;
          const r = await runWorker<RebalanceResult>('rebalance', client, protocol);
          (res[key] ??= []).push(r);
          log(`  rebalance ${key} #${i + 1}: ${r.supported ? `B assigned ${fmt(r.assignedMs, 0)} ms, both own ${fmt(r.bothOwnMs, 0)} ms, both consuming ${fmt(r.resumedMs, 0)} ms (A ${r.partitionsA} / B ${r.partitionsB})` : `not supported/failed: ${r.note}`}`);
        }
      }
      out.rebalance = Object.fromEntries(Object.entries(res).map(([k, rs]) => [k, {
        supported: rs.some((r) => r.supported),
        assignedMs: median(rs.map((r) => r.assignedMs)), bothOwnMs: median(rs.map((r) => r.bothOwnMs)), resumedMs: median(rs.map((r) => r.resumedMs)),
        runsResumedMs: rs.map((r) => r.resumedMs), note: rs[0]?.note,
      }]));
    }

    if (only.has('tx')) {
      const tx: Record<string, TxResult> = {};
      for (const client of CLIENTS) {
        tx[client] = await runWorker<TxResult>('tx', client);
        log(`  tx ${client}: ${JSON.stringify(tx[client])}`);
      }
      out.tx = tx;
    }
  } finally {
    await pl.deleteTopics(all);
  }

  printTable(out);
  log(JSON.stringify(out));
}

function printTable(out: Record<string, unknown>): void {
  const rows: string[][] = [['measure', 'kafkajs 2.2.4', '@platformatic/kafka 1.35']];
  const consume = out.consume as Record<ClientName, { steadyRecordsPerSec: number; recordsPerSecInclJoin: number; steadyMBps: number }> | undefined;
  if (consume) {
    rows.push(['consume rec/s (steady, median)', ...CLIENTS.map((c) => fmt(consume[c].steadyRecordsPerSec, 0))]);
    rows.push(['consume rec/s (incl. join)', ...CLIENTS.map((c) => fmt(consume[c].recordsPerSecInclJoin, 0))]);
    rows.push(['consume MB/s (steady)', ...CLIENTS.map((c) => fmt(consume[c].steadyMBps))]);
  }
  const lat = out.latency as Record<ClientName, { p50: number; p99: number; max: number; errors: number }> | undefined;
  if (lat) {
    rows.push([`produce ${SETTINGS.latencyRate}/s acks=all idem p50 / p99 / max ms`, ...CLIENTS.map((c) => `${fmt(lat[c].p50, 2)} / ${fmt(lat[c].p99, 2)} / ${fmt(lat[c].max, 2)}${lat[c].errors ? ` (${lat[c].errors} err)` : ''}`)]);
  }
  const rb = out.rebalance as Record<string, { supported: boolean; assignedMs: number; bothOwnMs: number; resumedMs: number }> | undefined;
  if (rb) {
    for (const protocol of ['classic', 'consumer']) {
      rows.push([`rebalance (${protocol}) join→both consuming ms`, ...CLIENTS.map((c) => {
        const r = rb[`${c}/${protocol}`];
        return !r ? '-' : r.supported ? `${fmt(r.resumedMs, 0)} (assigned ${fmt(r.assignedMs, 0)})` : 'not supported';
      })]);
    }
  }
  const tx = out.tx as Record<ClientName, TxResult> | undefined;
  if (tx) {
    rows.push(['idempotent producer', ...CLIENTS.map((c) => (tx[c].idempotent ? 'yes (verified)' : 'no'))]);
    rows.push(['20 concurrent idempotent sends, 1 partition', ...CLIENTS.map((c) => `${tx[c].concurrentIdempotentErrors} rejected, ${tx[c].concurrentIdempotentLost} acked but lost`)]);
    rows.push(['transactions + sendOffsets (EOS)', ...CLIENTS.map((c) => `${tx[c].transactions ? 'tx yes' : 'tx no'}, offsets ${tx[c].sendOffsets ? 'yes' : 'no'}, abort hidden ${tx[c].abortHidden ? 'yes' : 'no'}`)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  log('');
  for (const [n, r] of rows.entries()) {
    log(r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | '));
    if (n === 0) log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
  log('');
}

const argv = process.argv.slice(2);
if (argv[0] === '--worker') {
  const [, kind, client, arg] = argv;
  worker(kind as WorkerKind, client as ClientName, arg)
    .then((r) => { process.stdout.write(`RESULT ${JSON.stringify(r)}\n`); process.exit(0); })
    .catch((e: unknown) => { console.error(e); process.exit(1); });
} else {
  main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
}
