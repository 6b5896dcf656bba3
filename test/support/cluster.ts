// Real rtap processes for end-to-end tests: nodes and a gateway started as a user would start them
// (bin/rtap), each test run with its own Kafka topics, consumer group and snapshot directory so
// runs never see each other's data. Logs go to test-artifacts/e2e/<run>/.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { connect } from 'nats';
import { GiveUp, endpoints, eventually, uniqueName } from './endpoints.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RTAP = join(ROOT, 'bin/rtap');

/**
 * Every TestCluster process still running. Each runs in a session of its own (see start()), out of
 * reach of a terminal's Ctrl-C, so this process stops them itself when it ends or is told to.
 */
const running = new Set<ChildProcess>();
let guarding = false;

function stopRunningOnExit(): void {
  if (guarding) return;
  guarding = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGTERM');
      // The signal's own effect, unless someone else (a test runner) listens for it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Creates topics and waits for their leaders. A broker that has just started may answer the
 * metadata requests of brand-new topics with UNKNOWN_TOPIC_OR_PARTITION for a moment: retried.
 */
export async function createTopics(kafka: Kafka, topics: ITopicConfig[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ waitForLeaders: true, topics });
        return;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes test topics; the admin connection is closed whatever happens. */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export interface TestClusterOptions {
  /** Prefix of the run's name (topics, group, log directory). */
  prefix?: string;
  /** Where `<run>/<process>.log` files go. */
  logRoot?: string;
}

export class TestCluster {
  readonly run: string;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly group: string;
  readonly snapshotDir = mkdtempSync(join(tmpdir(), 'rtap-e2e-snapshots-'));
  readonly logDir: string;
  readonly kafka: Kafka;
  readonly brokers: readonly string[] = endpoints.kafkaBrokers;
  private readonly procs = new Map<string, Proc>();
  gatewayPort = 0;

  constructor(
    private readonly env: Record<string, string> = {},
    opts: TestClusterOptions = {},
  ) {
    this.run = uniqueName(opts.prefix ?? 'e2e');
    this.topic = `${this.run}.events`;
    this.dlqTopic = `${this.run}.dlq`;
    this.group = `${this.run}.group`;
    this.logDir = join(opts.logRoot ?? join(ROOT, 'test-artifacts', 'e2e'), this.run);
    this.kafka = new Kafka({ clientId: this.run, brokers: [...this.brokers], logLevel: logLevel.NOTHING });
    mkdirSync(this.logDir, { recursive: true });
  }

  /** The pid of a process started by this cluster (for CPU/memory sampling). */
  pidOf(name: string): number | undefined {
    return this.procs.get(name)?.child.pid;
  }

  async createTopics(partitions = 12): Promise<void> {
    await createTopics(this.kafka, [
      { topic: this.topic, numPartitions: partitions, replicationFactor: 1 },
      { topic: this.dlqTopic, numPartitions: 3, replicationFactor: 1 },
    ]);
  }

  private start(name: string, args: string[], env: Record<string, string>): Proc {
    const log = createWriteStream(join(this.logDir, `${name}.log`));
    // In a session of its own, as `make cluster-up` starts it (infra/lib.sh start_daemon): Linux's
    // autogroup scheduling shares the cores between sessions first, so in the caller's session the
    // nodes and the gateway would share one session's part with the load generator — and its nice
    // (loadtest/process-priority.ts) would weigh against them alone.
    const child = spawn(RTAP, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    stopRunningOnExit();
    running.add(child);
    child.on('exit', () => running.delete(child));
    const output: string[] = [];
    const collect = (chunk: Buffer): void => {
      log.write(chunk);
      output.push(...chunk.toString().split('\n').filter(Boolean));
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const proc = { child, output, exited };
    this.procs.set(name, proc);
    return proc;
  }

  /** Starts `rtap node` and waits until it has joined the group. */
  async startNode(id: string, extraEnv: Record<string, string> = {}): Promise<void> {
    const proc = this.start(id, ['node'], {
      RTAP_NODE_ID: id,
      RTAP_KAFKA_TOPIC: this.topic,
      RTAP_KAFKA_DLQ_TOPIC: this.dlqTopic,
      RTAP_KAFKA_GROUP_ID: this.group,
      RTAP_SNAPSHOT_DIR: this.snapshotDir,
      // Results must depend on the input only: no wall-clock idleness in these tests.
      RTAP_EVENTS_IDLE_TIMEOUT_MS: '0',
      RTAP_CHECKPOINT_INTERVAL_MS: '1000',
      RTAP_TRACING_ENABLED: 'false',
      ...this.env,
      ...extraEnv,
    });
    await eventually(async () => {
      if (proc.child.exitCode !== null) throw new GiveUp(`${id} exited: ${proc.output.slice(-5).join('\n')}`);
      return proc.output.some((l) => l.includes('"msg":"node ready"')) ? true : undefined;
    }, 60_000, `${id} to be ready`);
  }

  async startGateway(extraEnv: Record<string, string> = {}): Promise<string> {
    this.gatewayPort = await freePort();
    const proc = this.start('gateway', ['gateway'], { RTAP_GATEWAY_PORT: String(this.gatewayPort), RTAP_KAFKA_TOPIC: this.topic, ...extraEnv });
    await eventually(async () => {
      if (proc.child.exitCode !== null) throw new GiveUp(`gateway exited: ${proc.output.slice(-5).join('\n')}`);
      const res = await fetch(`http://127.0.0.1:${this.gatewayPort}/api/health`).catch(() => undefined);
      return res?.ok ? true : undefined;
    }, 30_000, 'the gateway to be healthy');
    return `ws://127.0.0.1:${this.gatewayPort}/ws`;
  }

  /** kill -9: no checkpoint, no goodbye. */
  async kill(name: string): Promise<void> {
    const proc = this.procs.get(name);
    if (!proc || proc.child.exitCode !== null) return;
    proc.child.kill('SIGKILL');
    await proc.exited;
  }

  async stop(name: string): Promise<number | null> {
    const proc = this.procs.get(name);
    if (!proc || proc.child.exitCode !== null) return proc?.child.exitCode ?? null;
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
    const code = await proc.exited;
    clearTimeout(timer);
    return code;
  }

  logOf(name: string): string[] {
    return this.procs.get(name)?.output ?? [];
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((name) => this.stop(name)));
  }

  /**
   * Stops every process and deletes what the run left on the servers and the disk — its topics,
   * its snapshot Object Store bucket, its snapshot directory — so repeated runs do not pile up.
   * Best effort: a run that failed early may not have created them.
   */
  async dispose(): Promise<void> {
    await this.stopAll();
    rmSync(this.snapshotDir, { recursive: true, force: true });
    await deleteTopics(this.kafka, [this.topic, this.dlqTopic]).catch(() => undefined); // none to delete
    const bucket = this.env.RTAP_SNAPSHOT_BUCKET;
    if (bucket === undefined) return;
    const nc = await connect({ servers: endpoints.natsServers }).catch(() => undefined);
    try {
      await (await nc?.jetstreamManager())?.streams.delete(`OBJ_${bucket}`);
    } catch {
      // none to delete
    } finally {
      await nc?.close();
    }
  }
}
