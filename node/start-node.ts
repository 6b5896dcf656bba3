// `rtap node`: one actor node of the cluster. Wires the Kafka bridge and its partition actors to
// the real transports, reports itself on NATS, and leaves cleanly on SIGTERM (every partition
// checkpoints, then the node leaves the consumer group).
import { accessSync, constants, mkdirSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import { ActorSystem, DiskSnapshotStore, type ActorRef, type Logger, type SnapshotStore } from '../runtime/index.ts';
import { AnalyticsEngine, withPatterns } from '../actors/engine/index.ts';
import { EventCodec } from '../actors/events/index.ts';
import type { CheckpointOutcome } from '../actors/partition/partition-actor.ts';
import { createKafka, requireTopic } from '../transports/kafka/client.ts';
import { DeadLetterProducer } from '../transports/kafka/dead-letter-producer.ts';
import { KafkaSource } from '../transports/kafka/kafka-source.ts';
import { InfluxResultSink } from '../transports/influx/influx-result-sink.ts';
import { NatsResultSink } from '../transports/nats/nats-result-sink.ts';
import { ObjectStoreSnapshotStore } from '../transports/nats/object-store-snapshot-store.ts';
import { drainOrClose } from '../transports/nats/drain-or-close.ts';
import { connectInBackground } from '../transports/nats/connect-in-background.ts';
import { settledWithin } from '../transports/settled-within.ts';
import { fanOut } from './composite-output.ts';
import type { NodeConfig } from './config.ts';
import { Heartbeat } from './heartbeat.ts';
import { NodeMetrics } from './node-metrics.ts';
import { instrumentPorts } from './traced-ports.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import type { Tracer } from '@opentelemetry/api';
import { KafkaBridge, type BridgeMsg, type BridgeStatus } from './kafka-bridge.ts';

export interface RunningNode {
  readonly id: string;
  readonly whenStopped: Promise<number>;
  stop(): Promise<void>;
}

async function snapshotStore(config: NodeConfig, log: Logger): Promise<{ store: SnapshotStore; nc?: NatsConnection }> {
  if (config['snapshot.backend'] === 'disk') {
    const dir = config['snapshot.dir'];
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new Error(`config: snapshot.dir (${dir}): not a writable directory: ${(err as Error).message}`);
    }
    return {
      store: new DiskSnapshotStore({
        dir: config['snapshot.dir'],
        keep: config['snapshot.keep'],
        onEvent: (e) => {
          if (e.type === 'corrupt') log.warn('corrupt snapshot', { id: e.id, seq: e.seq, location: e.location, reason: e.reason });
        },
      }),
    };
  }
  // Snapshots in NATS are needed before the first partition starts: fail fast, naming the key.
  const nc = await connect({ servers: config['nats.servers'].split(','), name: `${config['node.id']}-snapshots`, maxReconnectAttempts: -1 }).catch((err: unknown) => {
    throw new Error(`snapshots: cannot connect to NATS at nats.servers (${config['nats.servers']}), needed by snapshot.backend=nats: ${(err as Error).message}`);
  });
  return { store: new ObjectStoreSnapshotStore(nc, { bucket: config['snapshot.bucket'] }), nc };
}

export async function startNode(config: NodeConfig, log: Logger, tracer?: Tracer): Promise<RunningNode> {
  const nodeId = config['node.id'];
  const topic = config['kafka.topic'];
  const kafka = createKafka(nodeId, config['kafka.brokers'], log);
  const partitions = await requireTopic(kafka, topic);
  const dlqPartitions = await requireTopic(kafka, config['kafka.dlq-topic']);

  // Before the sinks: they start connecting at once, and a failed start must leave nothing running.
  const { store, nc: snapshotNc } = await snapshotStore(config, log);
  const nats = new NatsResultSink({ servers: config['nats.servers'], duplicateWindowMs: config['nats.duplicate-window-ms'], highWater: config['results.high-water'], name: nodeId, msgIdPrefix: `${topic}/`, tracer });
  const influx = new InfluxResultSink({
    url: config['influx.url'],
    org: config['influx.org'],
    bucket: config['influx.bucket'],
    token: config['influx.token'],
    flushIntervalMs: config['influx.flush-interval-ms'],
    highWater: config['results.high-water'],
    source: topic,
    tracer,
  });
  const dlq = new DeadLetterProducer({ brokers: config['kafka.brokers'], clientId: nodeId, sourceTopic: topic, dlqTopic: config['kafka.dlq-topic'], dlqPartitions });
  // Metrics (docs/observability.md): counters on the ports and partition actors, served once the node is ready.
  const metrics = config['metrics.port'] > 0 ? createMetrics({ serviceName: 'rtap-node', resourceAttributes: { 'rtap.node.id': nodeId } }) : undefined;
  const nodeMetrics = metrics && new NodeMetrics(metrics.meter);
  const codec = new EventCodec();
  const source = new KafkaSource({
    brokers: config['kafka.brokers'],
    clientId: nodeId,
    topic,
    groupId: config['kafka.group-id'],
    log,
    fetchMinBytes: config['kafka.fetch-min-bytes'],
    fetchMaxWaitMs: config['kafka.fetch-max-wait-ms'],
  });

  const system = new ActorSystem({ name: nodeId, logger: log });
  const bridge: ActorRef<BridgeMsg> = system.spawn(
    () =>
      new KafkaBridge({
        topic,
        source,
        shared: { ...instrumentPorts({ results: fanOut([nats, influx]), deadLetters: dlq }, tracer, nodeMetrics, config['tracing.alerts']), snapshots: store },
        partition: {
          createEngine: (partition) =>
            new AnalyticsEngine({
              partition,
              operators: withPatterns(),
              outOfOrdernessMs: config['events.out-of-orderness-ms'],
              allowedLatenessMs: config['events.allowed-lateness-ms'],
              maxFutureSkewMs: config['events.max-future-skew-ms'],
              idleTimeoutMs: config['events.idle-timeout-ms'],
            }),
          codec,
          checkpointIntervalMs: config['checkpoint.interval-ms'],
          tickIntervalMs: 1_000,
          updateIntervalMs: config['results.update-interval-ms'],
          maxFailures: config['handler.max-failures'],
          keepSnapshots: config['snapshot.keep'],
          revokeTimeoutMs: PARTITION_REVOKE_MS,
        },
        mailbox: { capacity: config['mailbox.capacity'], highWater: config['mailbox.high-water'], lowWater: config['mailbox.low-water'] },
        revokeTimeoutMs: PARTITION_REVOKE_MS + 2_000, // the partition answers first, even when it gives up
        ...(nodeMetrics ? { createActor: nodeMetrics.actorFactory() } : {}),
      }),
    { name: 'kafka-bridge' },
  );

  let heartbeatNc: NatsConnection | undefined;
  const stopConnecting = new AbortController();
  void connectInBackground(
    { servers: config['nats.servers'].split(','), name: `${nodeId}-presence`, maxReconnectAttempts: -1 },
    { signal: stopConnecting.signal, retryMs: 1_000, onConnected: (c) => (heartbeatNc = c) },
  );
  let lastStatus: BridgeStatus = { partitions: [], records: 0, late: 0 };
  const heartbeat = new Heartbeat(() => heartbeatNc, nodeId, topic, {
    partitions: async () => {
      lastStatus = await bridge.ask<BridgeStatus>((replyTo) => ({ type: 'status', replyTo }), 2_000).catch(() => lastStatus);
      return lastStatus.partitions;
    },
    sinks: () => [nats.status(), influx.status(), dlq.status()],
    counters: () => ({ eventsProcessed: lastStatus.records, resultsPublished: nats.status().delivered, dlq: dlq.status().delivered, lateEvents: lastStatus.late }),
  });
  nodeMetrics?.observe({
    partitions: () => lastStatus.partitions,
    sinks: () => [nats.status(), influx.status(), dlq.status()],
    updates: () => ({ published: nats.updatesPublished, dropped: nats.updatesDropped }),
  });

  await source.start({
    assigned: (ps) => bridge.tell({ type: 'assigned', partitions: ps }),
    // The group hands a partition on once its checkpoint is written (or the revocation timed out).
    revoked: (ps) => bridge.ask<CheckpointOutcome[]>((replyTo) => ({ type: 'revoked', partitions: ps, replyTo }), 30_000),
    records: (partition, records, lag) => bridge.tell({ type: 'records', partition, records, lag }),
  });
  heartbeat.start(config['heartbeat.interval-ms']);
  if (metrics) {
    // A taken port costs the metrics, not the node.
    await metrics.listen(config['metrics.port'], config['metrics.host']).then(
      (url) => log.info('metrics served', { url }),
      (err: unknown) => log.error('metrics: cannot listen (metrics.port, metrics.host); no /metrics', { port: config['metrics.port'], host: config['metrics.host'], error: (err as Error).message }),
    );
  }
  log.info('node ready', { nodeId, topic, partitions, group: config['kafka.group-id'], snapshots: config['snapshot.backend'] });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log.info('node stopping: checkpointing every partition', { nodeId });
      const outcomes = await bridge.ask<CheckpointOutcome[]>((replyTo) => ({ type: 'shutdown', replyTo }), SHUTDOWN_CHECKPOINT_MS).catch((err: unknown) => {
        log.error('shutdown checkpoint failed: the partitions resume from their last checkpoint', { error: (err as Error).message, timeoutMs: SHUTDOWN_CHECKPOINT_MS });
        return [];
      });
      stopConnecting.abort();
      await heartbeat.stop();
      await source.stop();
      const sinks = [nats, influx, dlq];
      const flushed = await Promise.all(
        sinks.map(async (sink) => {
          const delivered = sink.flush().then(() => true, () => false); // a closed sink rejects
          return (await settledWithin(delivered, FLUSH_GRACE_MS)) && (await delivered);
        }),
      );
      sinks.forEach((sink, i) => {
        if (flushed[i]) return;
        const { name, buffered, reason } = sink.status();
        log.error('stopping with results not delivered: the sink did not flush in time', { sink: name, buffered, reason, graceMs: FLUSH_GRACE_MS });
      });
      const closing = Promise.all([nats.close(), influx.close(), dlq.close(), heartbeatNc && drainOrClose(heartbeatNc), snapshotNc && drainOrClose(snapshotNc)]);
      if (!(await settledWithin(closing, CLOSE_GRACE_MS))) log.warn('stopping without waiting longer for connections to close', { graceMs: CLOSE_GRACE_MS });
      await system.terminate();
      log.info('node stopped', { nodeId, checkpoints: outcomes.length, failed: outcomes.filter((o) => !o.ok).length });
    })());

  const whenStopped = system.whenTerminated.then(async (t) => {
    if (t.exitCode !== 0) {
      log.error('node failed', { reason: t.reason, error: (t.error as Error | undefined)?.message });
      await settledWithin(source.stop(), 5_000);
    }
    await metrics?.shutdown();
    return t.exitCode;
  });
  return { id: nodeId, whenStopped, stop };
}

// A stopping node's waits, bounded to fit the 30 s `make cluster-down` and `scale-nodes` give it
// (infra/cluster.sh): checkpointing every partition (a checkpoint delivers its partition's results
// first: ~0.1 s with the servers up; with a sink down each partition gives up after 8 s, nothing
// committed, so its next owner replays from the last checkpoint), delivering what the sinks still
// hold, closing connections; leaving the Kafka group takes at most 7 s more (GroupMember.stop).
const PARTITION_REVOKE_MS = 8_000;
const SHUTDOWN_CHECKPOINT_MS = 12_000;
const FLUSH_GRACE_MS = 5_000;
const CLOSE_GRACE_MS = 3_000;
