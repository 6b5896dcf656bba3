// Every key of `rtap node`: flags (--key=value), env (RTAP_KEY_NAME), a JSON file (--config), defaults.
import { hostname } from 'node:os';
import { loadConfig, type ConfigSources } from '../config/load.ts';
import { RESULTS_DUPLICATE_WINDOW_MS } from '../transports/nats/contracts.ts';
import { bool, hostPorts, int, num, oneOf, str, url, type ConfigOf } from '../config/spec.ts';

export const nodeConfigSpec = {
  'node.id': str(() => `node-${hostname()}-${process.pid}`, 'this node\'s name in the cluster view'),
  'kafka.brokers': hostPorts(['127.0.0.1:9092'], 'Kafka bootstrap brokers (comma-separated host:port)'),
  'kafka.topic': str('events', 'topic of input events'),
  'kafka.dlq-topic': str('events.dlq', 'dead-letter topic for bad records'),
  'kafka.group-id': str('rtap', 'consumer group shared by all nodes'),
  'kafka.fetch-min-bytes': int(1, 'a fetch returns once this many bytes are ready… (larger: fewer fetches, less CPU per event)', 1, 50 * 1024 * 1024),
  'kafka.fetch-max-wait-ms': int(100, '…or after this long: the latency a larger kafka.fetch-min-bytes may add, and how often a node with nothing to read asks again', 1, 10_000),
  'checkpoint.interval-ms': int(10_000, 'how often each partition snapshots its state and commits its offset (each partition at its own phase of the interval)', 100),
  'snapshot.backend': oneOf(['disk', 'nats'] as const, 'disk', 'where snapshots live: a shared directory, or NATS JetStream Object Store for nodes on different hosts'),
  'snapshot.dir': str('.run/snapshots', 'snapshot directory (backend disk); shared by the nodes of one host'),
  'snapshot.bucket': str('rtap-snapshots', 'Object Store bucket (backend nats)'),
  'snapshot.keep': int(3, 'snapshots kept per partition', 1, 100),
  'mailbox.capacity': int(4_096, 'messages (record batches) a partition actor may queue', 16),
  'mailbox.high-water': int(64, 'queued batches above which the partition is paused', 1),
  'mailbox.low-water': int(16, 'queued batches below which a paused partition resumes', 0),
  'events.out-of-orderness-ms': int(2_000, 'bounded out-of-orderness of event time (watermark lag)'),
  'events.allowed-lateness-ms': int(5_000, 'how long after a window closes late events still correct it'),
  'events.idle-timeout-ms': int(30_000, 'processing time after which a quiet partition no longer holds results back: its watermark follows the wall clock (0: never)'),
  'events.max-future-skew-ms': int(60_000, 'events further than this ahead of wall clock go to the DLQ'),
  'handler.max-failures': int(3, 'an event that makes the handler fail this many times in a row goes to the DLQ', 1, 100),
  'nats.servers': str('nats://127.0.0.1:4222', 'NATS server URL(s), comma-separated'),
  'nats.duplicate-window-ms': int(RESULTS_DUPLICATE_WINDOW_MS, 'how long NATS remembers result ids (must exceed the longest replay after a crash)', 1_000),
  'results.update-interval-ms': int(5, 'open tumbling windows (page views, conversions) send their values so far at most this long after an event, and at once after a quiet spell (speculative \'update\' results over core NATS, not stored); 0: only event-time firings', 0, 60_000),
  'results.high-water': int(50_000, 'results buffered per sink (NATS, InfluxDB) above which input pauses', 100),
  'influx.url': url('http://127.0.0.1:8086', 'InfluxDB URL', ['http', 'https']),
  'influx.org': str('', 'InfluxDB organisation (2.x; ignored by 1.8)'),
  'influx.bucket': str('rtap/autogen', 'InfluxDB bucket (1.8: database/retention-policy)'),
  'influx.token': str('', 'InfluxDB token (2.x; 1.8 with auth: user:password)'),
  'influx.flush-interval-ms': int(1_000, 'longest time a result waits before it is written to InfluxDB', 10, 60_000),
  'heartbeat.interval-ms': int(1_000, 'how often the node reports itself on NATS', 100),
  'tracing.endpoint': url('http://127.0.0.1:4318/v1/traces', 'OTLP/HTTP traces endpoint (Jaeger)', ['http', 'https']),
  'tracing.sample-ratio': num(0.01, "fraction of events traced (errors always are; alerts too, unless the node's tracing.alerts is false)", 0, 1),
  'tracing.alerts': bool(true, "trace every pattern alert (a forced `pattern.alert` span, followed by its publish and fan-out), whether or not its event was sampled; false: only the alerts of sampled events, for a high alert rate on a busy host (see docs/performance.md, 'Tracing under load')"),
  'tracing.enabled': bool(true, 'export traces'),
  'metrics.port': int(0, 'serve Prometheus metrics at http://<metrics.host>:<port>/metrics; 0: off. Nodes of one host need a port each (infra/cluster.sh gives node-N 9464+N)', 0, 65_535),
  'metrics.host': str('127.0.0.1', 'listen address of the metrics endpoint'),
  'log.level': oneOf(['debug', 'info', 'warn', 'error'] as const, 'info', 'log level'),
};

export type NodeConfig = ConfigOf<typeof nodeConfigSpec>;

export function loadNodeConfig(sources: ConfigSources): NodeConfig {
  const config = loadConfig(nodeConfigSpec, sources);
  if (config['mailbox.low-water'] >= config['mailbox.high-water']) {
    throw new Error(`config: mailbox.low-water (${config['mailbox.low-water']}) must be below mailbox.high-water (${config['mailbox.high-water']})`);
  }
  return config;
}
