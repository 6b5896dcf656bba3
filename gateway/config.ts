// Every key of `rtap gateway`, declared as a spec (config/spec.ts) and loaded like the node's:
// flags (--key=value), env (RTAP_KEY_NAME), a JSON file (--config), defaults. The servers' keys
// are the node's own definitions, so one env file configures both processes.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type ConfigSources } from '../config/load.ts';
import { int, str, url, type ConfigOf } from '../config/spec.ts';
import { nodeConfigSpec } from '../node/config.ts';

export const gatewayConfigSpec = {
  'gateway.host': str('127.0.0.1', 'listen address'),
  'gateway.port': int(3000, 'listen port (0: any free port)', 0, 65_535),
  'gateway.token': str('', 'when set, required for /ws and the REST API (not /api/health)'),
  'gateway.ui-dir': str(() => fileURLToPath(new URL('../ui/dist/', import.meta.url)), 'built dashboard served at / (default: ui/dist of this checkout; build it with npx vite build ui)'),
  'gateway.replay-max': int(1_000, 'results replayed to a new subscriber per topic, at most…'),
  'gateway.replay-ms': int(120_000, '…and none older than this'),
  'gateway.batch-ms': int(2, 'at most one frame per topic this often (after a quiet spell, the next at once; keep it below the nodes\' results.update-interval-ms, whose updates come in bursts that far apart)…', 1),
  'gateway.batch-max': int(256, '…or earlier when this many results are queued for a topic', 1),
  'gateway.slow-client-bytes': int(1 << 20, 'buffered bytes above which a client is slow and gets conflated updates', 1),
  'gateway.slow-client-pending': int(5_000, 'results queued per slow client; beyond it the oldest are dropped', 1),
  'gateway.max-backpressure-bytes': int(16 << 20, 'buffered bytes above which a client that stopped reading is disconnected', 1),
  'gateway.jaeger-url': url('http://127.0.0.1:16686', 'Jaeger UI that the dashboard links each alert\'s trace to', ['http', 'https']),
  'kafka.topic': { ...nodeConfigSpec['kafka.topic'], describe: "the nodes' input topic: /api/history returns this pipeline's windows" },
  'nats.servers': nodeConfigSpec['nats.servers'],
  'influx.url': nodeConfigSpec['influx.url'],
  'influx.org': nodeConfigSpec['influx.org'],
  'influx.bucket': nodeConfigSpec['influx.bucket'],
  'influx.token': nodeConfigSpec['influx.token'],
  'heartbeat.interval-ms': nodeConfigSpec['heartbeat.interval-ms'],
  'tracing.endpoint': nodeConfigSpec['tracing.endpoint'],
  'tracing.sample-ratio': nodeConfigSpec['tracing.sample-ratio'],
  'tracing.enabled': nodeConfigSpec['tracing.enabled'],
};

type Spec = typeof gatewayConfigSpec;

/** The gateway's code and `startGateway(options)` use these names; each is one key of the spec. */
const keyOf = {
  host: 'gateway.host',
  port: 'gateway.port',
  /** Empty means no token. */
  token: 'gateway.token',
  uiDir: 'gateway.ui-dir',
  replayMax: 'gateway.replay-max',
  replayMs: 'gateway.replay-ms',
  batchMs: 'gateway.batch-ms',
  batchMax: 'gateway.batch-max',
  slowClientBytes: 'gateway.slow-client-bytes',
  slowClientPending: 'gateway.slow-client-pending',
  maxBackpressureBytes: 'gateway.max-backpressure-bytes',
  jaegerUrl: 'gateway.jaeger-url',
  /** The nodes' input topic: /api/history shows this pipeline's windows (tag `source`) unless asked for another. */
  sourceTopic: 'kafka.topic',
  natsUrl: 'nats.servers',
  influxUrl: 'influx.url',
  influxOrg: 'influx.org',
  influxBucket: 'influx.bucket',
  influxToken: 'influx.token',
  heartbeatIntervalMs: 'heartbeat.interval-ms',
  tracingEndpoint: 'tracing.endpoint',
  tracingSampleRatio: 'tracing.sample-ratio',
  tracingEnabled: 'tracing.enabled',
} as const satisfies Record<string, keyof Spec>;

// Compile-time check that every key of the spec has a field above.
const everyKeyHasAField: Exclude<keyof Spec, (typeof keyOf)[keyof typeof keyOf]> extends never ? true : never = true;
void everyKeyHasAField;

export type GatewayConfig = { [F in Exclude<keyof typeof keyOf, 'token'>]: ConfigOf<Spec>[(typeof keyOf)[F]] } & {
  /** When set, WebSocket upgrades and the REST API (except /api/health) require it. */
  token: string | undefined;
};

function fromKeys(values: ConfigOf<Spec>): GatewayConfig {
  const config = Object.fromEntries(Object.entries(keyOf).map(([field, key]) => [field, values[key]])) as Record<string, unknown>;
  return { ...config, token: values['gateway.token'] || undefined } as GatewayConfig;
}

/** Every key at its default (no flags, env or file). */
export const defaultGatewayConfig: GatewayConfig = fromKeys(loadConfig(gatewayConfigSpec, { env: {} }));

/** The config of `rtap gateway`; a bad value or an unknown key throws a ConfigError naming the key. */
export function loadGatewayConfig(sources: ConfigSources): GatewayConfig {
  return fromKeys(loadConfig(gatewayConfigSpec, sources));
}

/** Checks a config built in code (startGateway's argument) with the same parsers as flags and env. */
export function validateGatewayConfig(config: GatewayConfig): GatewayConfig {
  const values: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(keyOf)) {
    const value = (config as Record<string, unknown>)[field] ?? '';
    try {
      values[key] = gatewayConfigSpec[key].parse(Array.isArray(value) ? value.join(',') : String(value));
    } catch (err) {
      throw new ConfigError(key, `startGateway({ ${field} })`, (err as Error).message);
    }
  }
  return fromKeys(values as ConfigOf<Spec>);
}

