// `make loadtest SCENARIO=<name>`: starts a private cluster (gateway + nodes, on the local
// servers, with its own topics), drives it open loop with the seeded generator, measures
// end-to-end latency at a WebSocket client, throughput, lag, and the CPU and memory of every
// process, then checks everything the pipeline produced against the oracle and writes the report
// (loadtest/results/<scenario>-<stamp>.{json,md,svg}). Exit code 1 when the oracle check fails, or
// when the run misses the goal CHECK=latency|throughput names (loadtest/requirements.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, getPriority, homedir, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEvents, type GeneratorOptions } from '../actors/testkit/index.ts';
import { loadGatewayConfig } from '../gateway/config.ts';
import { loadNodeConfig } from '../node/config.ts';
import { startTracing } from '../telemetry/index.ts';
import { TestCluster } from '../test/support/cluster.ts';
import { TestWsClient } from '../test/support/ws-client.ts';
import { ClusterWatch } from './cluster-watch.ts';
import { FrameReceiver } from './frame-receiver.ts';
import { now } from './latency-probe.ts';
import { MAX_IN_FLIGHT } from '../transports/kafka/batch-producer.ts';
import { LINGER_MS, OpenLoopProducer } from './open-loop-producer.ts';
import { compareWithOracle, expectedResults } from './oracle-check.ts';
import { afterStep, judgeStep } from './knee.ts';
import { RateSchedule } from './rate-schedule.ts';
import { discoverServers, MACHINE, processAgeS } from './report/process-sampler.ts';
import { SamplerThread } from './report/sampler-thread.ts';
import { ProgressPrinter } from './report/progress-line.ts';
import { measuredMean, writeReport } from './report/report-writer.ts';
import type { OracleCheck, RunReport, SecondSample } from './report/types.ts';
import { niceOf, resolveScenario, tracingOf, type Scenario } from './scenarios.ts';
import { PreparedLoad } from './prepared-load.ts';
import { ProbeThread, type ProbeResults } from './probe-thread.ts';
import { setProcessPriority } from './process-priority.ts';
import { judge, requirementFromEnv, verdictHeadline, type Requirement, type Verdict } from './requirements.ts';
import { traceHeaders } from './trace-headers.ts';

/** A broker younger than this may still be compiling its request path (the first 10k runs after a start pay for it). */
const KAFKA_WARM_S = 600;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN_DIR = join(ROOT, '.run');
const RESULTS_DIR = join(ROOT, 'loadtest', 'results');
const SEED = 42;
/** How the pipeline runs under test: in-order sources (see docs/performance.md, "Latency"). */
const EVENT_TIME = { outOfOrdernessMs: 0, allowedLatenessMs: 5_000, maxFutureSkewMs: 60_000, idleTimeoutMs: 0 } as const;
const NODE_ENV: Record<string, string> = {
  // Lag is read from the heartbeats: this is how stale it may be.
  RTAP_HEARTBEAT_INTERVAL_MS: process.env.RTAP_HEARTBEAT_INTERVAL_MS ?? '250',
  RTAP_EVENTS_OUT_OF_ORDERNESS_MS: String(EVENT_TIME.outOfOrdernessMs),
  RTAP_EVENTS_ALLOWED_LATENESS_MS: String(EVENT_TIME.allowedLatenessMs),
  // Results must depend on the input only (the oracle): no wall-clock idleness.
  RTAP_EVENTS_IDLE_TIMEOUT_MS: '0',
  RTAP_CHECKPOINT_INTERVAL_MS: process.env.RTAP_CHECKPOINT_INTERVAL_MS ?? '10000',
};
const DRAIN_TIMEOUT_MS = 180_000;
/** Share of events the load generator traces (the node default, tracing.sample-ratio). */
const TRACE_SAMPLE_RATIO = 0.01;
/** Events the load is prepared at (generated and Avro-encoded) before it starts, with room to spare (B: ~250 000/s). */
const PREPARE_PER_S = 100_000;

export async function runScenario(scenario: Scenario, log: (line: string) => void = (l) => console.log(l), requirement?: Requirement): Promise<{ report: RunReport; files: ReturnType<typeof writeReport>; verdict: Verdict | undefined }> {
  const traced = tracingOf(process.env);
  const nice = scenario.yieldCores ? niceOf(process.env) : 0;
  execFileSync('bash', [join(ROOT, 'infra/infra.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  refuseSharedPipelines();

  const nodeEnv = { ...NODE_ENV, RTAP_TRACING_ENABLED: String(traced) };
  const nodeConfig = loadNodeConfig({ env: { ...process.env, ...nodeEnv } });
  const gatewayConfig = loadGatewayConfig({ env: { ...process.env, ...nodeEnv } });
  const tracing = startTracing({ serviceName: 'rtap-loadtest', endpoint: 'http://127.0.0.1:4318/v1/traces', sampleRatio: TRACE_SAMPLE_RATIO, enabled: traced, asyncContext: false });
  const cluster = new TestCluster(nodeEnv, { prefix: `lt-${scenario.name}`, logRoot: join(RESULTS_DIR, 'logs') });
  // PROFILE=1: every node and the gateway write a V8 CPU profile (.cpuprofile) when they stop.
  const profile: Record<string, string> = process.env.PROFILE === '1' ? { RTAP_NODE_FLAGS: `--cpu-prof --cpu-prof-dir=${join(cluster.logDir, 'profiles')}` } : {};
  const notes: string[] = [];
  const sampler = SamplerThread.start();
  let errors = 0;
  const fanoutClients: TestWsClient[] = [];
  let receiver: FrameReceiver | undefined;
  let fanoutMeasuring: FrameReceiver | undefined;
  let probeThread: ProbeThread | undefined;
  try {
    log(`loadtest ${scenario.name}: ${scenario.description}`);
    await cluster.createTopics(scenario.partitions);
    const wsUrl = await cluster.startGateway({ ...profile, RTAP_TRACING_ENABLED: String(traced) });
    for (let n = 1; n <= scenario.nodes; n++) await cluster.startNode(`node-${n}`, profile);
    const servers = discoverServers(RUN_DIR, ['kafka', 'nats', 'influxdb', 'jaeger', 'prometheus']);
    for (const s of servers) await sampler.add(s.name, s.pid);
    const kafkaPid = servers.find((s) => s.name === 'kafka')?.pid;
    const kafkaAge = kafkaPid === undefined ? undefined : processAgeS(kafkaPid);
    if (kafkaAge !== undefined && kafkaAge < KAFKA_WARM_S) {
      const note = `Kafka had been up ${Math.round(kafkaAge)} s when this run began: for minutes after a start the broker's JVM still compiles its hot paths, which costs latency (on the 2-core machine the first 10k runs after a start measured p99 52–76 ms, later ones 33–48 ms); run again for the pipeline's own figures`;
      notes.push(note);
      log(`loadtest: note: ${note}`);
    }
    await sampler.add('gateway', cluster.pidOf('gateway')!);
    for (let n = 1; n <= scenario.nodes; n++) await sampler.add(`node-${n}`, cluster.pidOf(`node-${n}`)!);
    await sampler.add('loadtest', process.pid);
    // The measuring clients' threads keep normal priority, as dashboards' clients on hosts of their own.
    receiver = await FrameReceiver.start(wsUrl);
    if (scenario.fanout) fanoutMeasuring = await FrameReceiver.start(wsUrl, measuringClients(scenario.fanout));
    // After the last process and thread are started (they inherit the priority): see Scenario.yieldCores.
    if (nice > 0) setProcessPriority(nice, [receiver.threadId, fanoutMeasuring?.threadId].filter((t) => t !== undefined));

    // Warm-up: the nodes own their partitions and the gateway's NATS consumer is live.
    await new Promise((r) => setTimeout(r, 3_000));
    // A fixed schedule is prepared before it starts (PreparedLoad); a growing one (`max`) as it falls due.
    const upfront = scenario.max ? 0 : new RateSchedule(0, scenario.segments).stepsBefore(scenario.durationS);
    const t0 = Math.ceil(now() / 1000) * 1000 + 1000 + Math.ceil(upfront / PREPARE_PER_S) * 1000;
    const schedule = new RateSchedule(t0, scenario.segments);
    const peakRate = Math.max(...scenario.segments.map((s) => s.rate), scenario.max ? scenario.max.startRate * scenario.max.factor ** (scenario.max.maxSteps - 1) : 0);
    const generator: GeneratorOptions = {
      seed: SEED,
      partitions: scenario.partitions,
      users: Math.min(50_000, Math.max(2_000, Math.round(peakRate / 5))),
      schedule: schedule.wallTimeOf,
      // In-order stream (event time = due time): see EVENT_TIME.
      outOfOrderRatio: 0,
      lateRatio: 0,
      burstSpanMs: 0,
    };
    const load = new PreparedLoad(generateEvents(generator));
    if (upfront > 0) {
      const started = now();
      load.prepareUntil(t0 + scenario.durationS * 1000);
      log(`prepared ${load.size} events (${(load.bytesUsed / 1e6).toFixed(0)} MB encoded) in ${((now() - started) / 1000).toFixed(1)} s`);
      if (now() > t0) notes.push(`preparing the load took until ${((now() - t0) / 1000).toFixed(1)} s after its start: its first events were sent late`);
    }
    const measureFrom = t0 + scenario.warmupS * 1000;
    // Started after the priority was set: its thread inherits the main thread's (it only measures).
    const probe = ProbeThread.start({ fromMs: t0 - 60_000, measureFromMs: measureFrom, probeFrames: receiver.frames, fanoutFrames: fanoutMeasuring?.frames });
    probeThread = probe;
    receiver.subscribe(['results']);
    if (scenario.fanout) await connectFanout(wsUrl, scenario.fanout, fanoutClients, fanoutMeasuring!);
    const traceFor = traced ? traceHeaders(tracing.tracer, undefined, TRACE_SAMPLE_RATIO) : undefined;
    const onSent = (batch: readonly number[], at: number): void => probe.sent(load, batch, at);
    const producer = new OpenLoopProducer(cluster.brokers, cluster.topic, scenario.partitions, load, onSent, traceFor && ((partition) => traceFor({ partition })));
    await producer.connect();
    const watch = new ClusterWatch(`http://127.0.0.1:${cluster.gatewayPort}`);

    // The load, with one sample per second.
    const seconds: SecondSample[] = [];
    const progress = new ProgressPrinter();
    let durationS = scenario.durationS;
    let stopped = false;
    let knee: RunReport['knee'] = null;
    const steps: NonNullable<RunReport['knee']>['steps'] = [];
    const sampling = (async () => {
      let lastSent = 0;
      let lastProcessed = await watch.processed();
      for (let s = 1; !stopped; s++) {
        const wait = t0 + s * 1000 - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stopped) break;
        const cluster = await watch.sample(producer.nextOffset);
        const [usage, latency] = await Promise.all([sampler.sample(), probe.intervals()]);
        const sample: SecondSample = {
          t: s,
          // Nothing is due after the load's end (a generator behind its schedule still sends then).
          target: schedule.stepsBefore(Math.min(s, durationS)) - schedule.stepsBefore(Math.min(s - 1, durationS)),
          sent: producer.sent - lastSent,
          processed: cluster.processed - lastProcessed,
          lag: cluster.lag,
          updates: latency.updates,
          alerts: latency.alerts,
          cpu: usage.cpu,
          cpuWait: usage.wait,
          cpuPressurePct: usage.pressure,
          rssMb: usage.rssMb,
        };
        lastSent = producer.sent;
        lastProcessed = cluster.processed;
        seconds.push(sample);
        progress.update({
          t: s, durationS, sent: producer.sent, targetPerS: schedule.rateAt(s - 1), sentPerS: sample.sent, processedPerS: sample.processed, lag: sample.lag,
          updatesP99: sample.updates?.p99 ?? null, alertsP99: sample.alerts?.p99 ?? null, errors: errors + producer.errors, machineCpu: usage.cpu[MACHINE] ?? 0,
        });
        // A step is judged on its second half (the first lets the pipeline settle at the new rate),
        // one second before it ends, so the next rate is appended ahead of every event the generator
        // has already scheduled (the oracle replays the schedule as appended).
        const stepEnd = s + 1 - scenario.warmupS;
        if (scenario.max && stepEnd > 0 && stepEnd % scenario.max.stepS === Math.floor(scenario.max.stepS / 2)) await probe.combinedInterval();
        if (scenario.max && stepEnd > 0 && stepEnd % scenario.max.stepS === 0) {
          const verdict = judgeStep(seconds.slice(-(scenario.max.stepS - 1)), schedule.rateAt(s - 1), (await probe.combinedInterval())?.p99 ?? 0, scenario.max.p99LimitMs);
          steps.push(verdict);
          const after = afterStep(steps, scenario.max);
          const what = 'knee' in after ? 'KNEE' : verdict.ok ? 'ok' : 'broke a bound: repeating the step';
          progress.log(`step ${steps.length}: ${Math.round(verdict.ratePerS)}/s → p99 ${verdict.p99.toFixed(1)} ms, lag growth ${Math.round(verdict.lagGrowthPerS)}/s: ${what}`);
          if ('knee' in after) {
            knee = { ...after.knee, steps };
            durationS = s;
          } else {
            schedule.append(s + 1, after.nextRatePerS);
          }
        }
      }
    })();
    const failover = scenario.failover ? runFailover(cluster, scenario.failover, t0, sampler, notes, () => stopped) : Promise.resolve();
    try {
      await producer.run(t0 + scenario.durationS * 1000, () => now() >= t0 + durationS * 1000);
    } catch (err) {
      errors++;
      notes.push(`producer stopped: ${(err as Error).message}`);
    }
    const loadEnd = now();
    stopped = true;
    await sampling;
    progress.done();
    await failover;
    const loadS = Math.max(1, (loadEnd - t0) / 1000);

    // Drain: everything sent is processed and the results stopped arriving.
    log(`load done: ${producer.sent} events in ${loadS.toFixed(1)} s; draining…`);
    const drainStart = now();
    let drained = false;
    while (now() - drainStart < DRAIN_TIMEOUT_MS) {
      const c = await watch.sample(producer.nextOffset);
      if (c.lag === 0 && now() - (await probe.lastResultAt()) > 3_000) {
        drained = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const finalLag = (await watch.sample(producer.nextOffset)).lag;
    if (!drained) notes.push(`not drained after ${DRAIN_TIMEOUT_MS / 1000} s: lag ${finalLag}`);
    else notes.push(`drained ${((now() - drainStart) / 1000).toFixed(1)} s after the load stopped`);

    const processed = (await watch.sample(producer.nextOffset)).processed;
    const measured = await probe.results();
    log('checking against the oracle…');
    const dlqReceived = await countRecords(cluster, cluster.dlqTopic);
    const oracle: OracleCheck = compareWithOracle(expectedResults({ ...generator, schedule: schedule.wallTimeOf }, producer.sent, scenario.partitions, EVENT_TIME), measured.durable, measured.duplicates, dlqReceived);
    if (measured.unmatched > 0) {
      notes.push(`${measured.unmatched} results pointed at events this run did not send: another rtap pipeline published on the same NATS subjects during the run (results carry no source topic), so the oracle comparison is not meaningful for this run`);
      oracle.detail.unshift('another pipeline shared the NATS results subjects during the run (see notes)');
    }
    if (measured.lagged > 0) notes.push(`the gateway conflated or dropped ${measured.lagged} results for the latency probe (it was too slow)`);
    notes.push(`${measured.updatesReceived} window updates and ${measured.durable.size} durable results reached the probe in ${measured.frames} frames`);
    if (producer.connectRetries > 0) notes.push(`the producers retried ${producer.connectRetries} times while connecting (last: ${producer.lastConnectError})`);
    if (producer.errors > 0) notes.push(`${producer.errors} Kafka send attempts failed and were retried (last: ${producer.lastError})`);

    const fanout = scenario.fanout ? await fanoutSummary(scenario.fanout, fanoutClients, fanoutMeasuring!, cluster.gatewayPort, measured, notes) : null;
    const processes = await sampler.usage();
    const kafkaLimit = kafkaProduceLimit();
    if (kafkaLimit === null) notes.push('no ratio to the Kafka limit: measure the limit once on this machine with `REPEAT=1 infra/perf/machine-limits.sh kafka` (kept in ~/.cache/rtap/perf for every clone)');
    // Rates over the measured seconds: a steady scenario's warm-up ramps up to its rate.
    const perMeasuredS = (pick: (x: SecondSample) => number, whole: number): number => measuredMean({ seconds, warmupS: scenario.warmupS }, pick) ?? whole / loadS;
    const achieved = perMeasuredS((x) => x.sent, producer.sent);
    const totalErrors = errors + producer.errors + (fanout?.disconnected ?? 0) + (receiver.closed ? 1 : 0);
    const report: RunReport = {
      scenario: scenario.name,
      description: scenario.description,
      startedAt: new Date(t0).toISOString(),
      durationS: Math.round(loadS),
      warmupS: scenario.warmupS,
      machine: machine(),
      settings: {
        nodes: scenario.nodes,
        partitions: scenario.partitions,
        seed: SEED,
        users: generator.users ?? 0,
        schedule: schedule.segments.map((s) => `${s.fromS}s:${Math.round(s.rate)}/s`).join(' '),
        'events.out-of-orderness-ms': EVENT_TIME.outOfOrdernessMs,
        // What the nodes and the gateway run with: they inherit this process's RTAP_* environment.
        'results.update-interval-ms': nodeConfig['results.update-interval-ms'],
        'gateway.batch-ms': gatewayConfig.batchMs,
        'heartbeat.interval-ms': nodeConfig['heartbeat.interval-ms'],
        'tracing.sample-ratio': traced ? TRACE_SAMPLE_RATIO : 'off',
        'tracing.alerts': traced && nodeConfig['tracing.alerts'],
        'producer.linger-ms': LINGER_MS,
        'producer.max-in-flight': MAX_IN_FLIGHT,
        'kafka.fetch-min-bytes': nodeConfig['kafka.fetch-min-bytes'],
        'kafka.fetch-max-wait-ms': nodeConfig['kafka.fetch-max-wait-ms'],
        'loadtest.nice': nice,
        ...(scenario.fanout ? { 'fanout.clients': scenario.fanout.clients, 'fanout.slow': scenario.fanout.slow } : {}),
      },
      events: {
        // Over the scheduled seconds only: a generator behind its schedule sends on after them, and
        // those seconds (target 0) would make the target look lower than it was.
        targetPerS: Math.round(measuredMean({ seconds: seconds.filter((x) => x.t <= durationS), warmupS: scenario.warmupS }, (x) => x.target) ?? schedule.stepsBefore(durationS) / durationS),
        achievedPerS: Math.round(achieved),
        sent: producer.sent,
        processed,
        badRecords: producer.badRecords,
        dlq: dlqReceived,
        errors: totalErrors,
        errorRate: producer.sent > 0 ? totalErrors / producer.sent : 0,
      },
      latency: {
        updates: measured.updates,
        alerts: measured.alerts,
        fromSend: { updates: measured.updatesFromSend, alerts: measured.alertsFromSend },
        generatorLateness: measured.lateness,
      },
      lag: { max: Math.max(0, ...seconds.map((s) => s.lag)), final: finalLag },
      processes,
      cpuTotalAvgPct: Math.round(processes.reduce((n, p) => n + p.cpuAvgPct, 0)),
      cpuPressureAvgPct: await sampler.pressureAvgPct(),
      oracle,
      kafkaLimit: kafkaLimit ? { producePerS: kafkaLimit, ratio: achieved / kafkaLimit } : null,
      knee,
      fanout,
      seconds,
      notes,
    };
    const verdict = requirement === undefined ? undefined : judge(report, requirement);
    if (verdict !== undefined) notes.push(`${verdictHeadline(verdict)}: ${verdict.lines.join('; ')}`);
    const files = writeReport(report, RESULTS_DIR);
    await producer.close();
    return { report, files, verdict };
  } finally {
    await receiver?.close(); // the probe's connection
    await fanoutMeasuring?.close();
    await probeThread?.close();
    for (const c of fanoutClients) c.close();
    await sampler.close();
    await cluster.dispose();
    await tracing.shutdown();
    if (nice > 0) restorePriority(log);
  }
}

/** Back to normal priority, for a caller that goes on (the e2e tests); raising it again takes root. */
function restorePriority(log: (line: string) => void): void {
  try {
    setProcessPriority(0);
  } catch (err) {
    log(`loadtest: this process stays at nice ${getPriority()} (${(err as Error).message}); only root may raise a priority again`);
  }
}

async function runFailover(cluster: TestCluster, f: NonNullable<Scenario['failover']>, t0: number, sampler: SamplerThread, notes: string[], stopped: () => boolean): Promise<void> {
  const at = async (s: number): Promise<void> => {
    const wait = t0 + s * 1000 - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  await at(f.killAtS);
  if (stopped()) return;
  await cluster.kill('node-2');
  await sampler.remove('node-2');
  notes.push(`kill -9 node-2 at ${f.killAtS} s`);
  await at(f.spawnAtS);
  if (stopped()) return;
  const started = now();
  await cluster.startNode('node-3');
  await sampler.add('node-3', cluster.pidOf('node-3')!);
  notes.push(`node-3 started at ${f.spawnAtS} s, ready (joined the group) after ${((now() - started) / 1000).toFixed(1)} s`);
}

/**
 * `fanout`'s clients: the slow ones never read; of the reading ones, every FANOUT_MEASURE_EVERY-th
 * also has its alerts measured: its frames are stamped as they arrive on the `measuring` thread
 * (FrameReceiver), not after this thread has read the other clients' sockets, and parsed on the
 * probe's (ProbeThread); the others only count their frames here. Parsing in all of them would make this process (sharing
 * the cores with the gateway it measures) the bottleneck: real dashboards parse on their own machines.
 */
async function connectFanout(url: string, f: NonNullable<Scenario['fanout']>, clients: TestWsClient[], measuring: FrameReceiver): Promise<void> {
  const topics = ['window.page-views', 'alerts'];
  measuring.subscribe(topics);
  for (let i = 0; i < f.clients - measuring.connections; i++) {
    const c = await TestWsClient.connect(url);
    if (i >= f.slow) {
      c.onText = () => {
        fanoutFrames++;
      };
    }
    c.send({ type: 'subscribe', topics });
    if (i < f.slow) c.pause();
    clients.push(c);
  }
}
let fanoutFrames = 0;
/** One reading client in this many measures alert latency. */
const FANOUT_MEASURE_EVERY = 10;
const measuringClients = (f: NonNullable<Scenario['fanout']>): number => Math.ceil((f.clients - f.slow) / FANOUT_MEASURE_EVERY);

async function fanoutSummary(f: NonNullable<Scenario['fanout']>, clients: TestWsClient[], measuring: FrameReceiver, port: number, measured: ProbeResults, notes: string[]): Promise<NonNullable<RunReport['fanout']>> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const metric = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const a = measured.fanoutAlerts;
  notes.push(`fan-out: alerts at ${measuring.connections} of the ${f.clients - f.slow} reading clients (every ${FANOUT_MEASURE_EVERY}th, on a thread of their own; all of them read every frame): p50 ${a.p50} ms, p99 ${a.p99} ms, max ${a.max} ms over ${a.count} deliveries`);
  return {
    clients: f.clients,
    slowClients: f.slow,
    framesReceived: fanoutFrames + measured.fanoutFrames,
    conflated: metric('rtap_gateway_results_conflated_total'),
    dropped: metric('rtap_gateway_results_dropped_total'),
    disconnected: clients.filter((c, i) => i >= f.slow && c.closed).length + measuring.closedConnections,
  };
}

async function countRecords(cluster: TestCluster, topic: string): Promise<number> {
  const admin = cluster.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The demo cluster (make cluster-up) publishes on the same NATS subjects: its results would mix in. */
function refuseSharedPipelines(): void {
  const pids = join(RUN_DIR, 'pids');
  if (!existsSync(pids)) return;
  for (const f of readdirSync(pids)) {
    if (!/^(node-\d+|producer)\.pid$/.test(f)) continue;
    const pid = Number(readFileSync(join(pids, f), 'utf8').trim());
    try {
      process.kill(pid, 0);
    } catch {
      continue;
    }
    throw new Error(`loadtest: the demo cluster is running (${f.replace('.pid', '')}, pid ${pid}); its results share NATS subjects with the load test. Stop it first: make cluster-down`);
  }
}

/**
 * Kafka's own producer limit on this machine (infra/perf/machine-limits.sh), median of its runs:
 * the summaries it keeps with the downloads (a fact of the machine, shared by every clone), and
 * those of this checkout's run directory, where it kept them before.
 */
function kafkaProduceLimit(): number | null {
  const cache = process.env.RTAP_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rtap');
  const values: number[] = [];
  for (const dir of [join(cache, 'perf'), join(RUN_DIR, 'perf')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((name) => name.startsWith('machine-limits-summary'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/Kafka_produce_100B_acks=all: (\d+) records\/s/g)) values.push(Number(m[1]));
    }
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

function machine(): RunReport['machine'] {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() };
}

async function main(): Promise<number> {
  const scenario = resolveScenario(process.argv[2] ?? process.env.SCENARIO, process.env);
  const requirement = requirementFromEnv(process.env);
  const { report, files, verdict } = await runScenario(scenario, undefined, requirement);
  const u = report.latency.updates;
  const a = report.latency.alerts;
  console.log(`\n${report.scenario}: ${report.events.achievedPerS}/s for ${report.durationS} s; updates p50 ${u.p50} p99 ${u.p99} max ${u.max} ms; alerts p50 ${a.p50} p99 ${a.p99} max ${a.max} ms; lag max ${report.lag.max}; oracle ${report.oracle.ok ? 'OK' : 'FAILED'}`);
  const { fromSend, generatorLateness } = report.latency;
  if (fromSend && generatorLateness) {
    const ms = (x: number): string => x.toFixed(1);
    console.log(`  from the send: updates p99 ${ms(fromSend.updates.p99)}, alerts p99 ${ms(fromSend.alerts.p99)} ms; the load generator's lateness (due → sent) p50 ${ms(generatorLateness.p50)} p99 ${ms(generatorLateness.p99)} ms`);
  }
  for (const d of report.oracle.detail) console.log(`  ${d}`);
  console.log(`report: ${files.md}`);
  if (verdict === undefined) return report.oracle.ok ? 0 : 1;
  console.log(`${verdictHeadline(verdict)} (${report.scenario})`);
  for (const line of verdict.lines) console.log(`  ${line}`);
  return report.oracle.ok && verdict.ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(2);
    },
  );
}
