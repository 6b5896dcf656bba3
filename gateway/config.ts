// Gateway configuration: defaults, environment (RTAP_*) and `--flag value` overrides, validated up
// front so a bad value fails start-up with the name of the key instead of a confusing error later.

export interface GatewayConfig {
  host: string;
  /** 0 picks a free port (tests); the bound port is on `Gateway.port`. */
  port: number;
  /** When set, WebSocket upgrades and the REST API (except /api/health) require it. */
  token: string | undefined;
  natsUrl: string;
  influxUrl: string;
  influxToken: string;
  influxOrg: string;
  influxBucket: string;
  /** Built dashboard; served at `/`. */
  uiDir: string;
  /** Replay ring per topic: at most this many results… */
  replayMax: number;
  /** …and none older than this. */
  replayMs: number;
  /** One frame per topic per tick… */
  batchMs: number;
  /** …or earlier when this many results are queued for a topic. */
  batchMax: number;
  /** A client whose buffered bytes exceed this leaves the fast path and gets conflated updates. */
  slowClientBytes: number;
  /** Per slow client, at most this many pending results; beyond it the oldest are dropped. */
  slowClientPending: number;
  /** uWS hard limit: a client buffering more than this is disconnected. */
  maxBackpressureBytes: number;
  /** The nodes' heartbeat interval; a node silent for 3 intervals is shown as gone. */
  heartbeatIntervalMs: number;
}

export const defaultGatewayConfig: GatewayConfig = {
  host: '127.0.0.1',
  port: 3000,
  token: undefined,
  natsUrl: 'nats://127.0.0.1:4222',
  influxUrl: 'http://127.0.0.1:8086',
  influxToken: '',
  influxOrg: '',
  influxBucket: 'rtap/autogen',
  uiDir: new URL('../ui/dist/', import.meta.url).pathname,
  replayMax: 1000,
  replayMs: 120_000,
  batchMs: 50,
  batchMax: 256,
  slowClientBytes: 1 << 20,
  slowClientPending: 5000,
  maxBackpressureBytes: 16 << 20,
  heartbeatIntervalMs: 1000,
};

type Kind = 'string' | 'int' | 'optional-string';

/** Config key → environment variable and flag. The table is the documentation (docs/gateway.md). */
export const configKeys: ReadonlyArray<{ key: keyof GatewayConfig; env: string; flag: string; kind: Kind; min?: number; max?: number }> = [
  { key: 'host', env: 'RTAP_GATEWAY_HOST', flag: '--host', kind: 'string' },
  { key: 'port', env: 'RTAP_GATEWAY_PORT', flag: '--port', kind: 'int', min: 0, max: 65535 },
  { key: 'token', env: 'RTAP_GATEWAY_TOKEN', flag: '--token', kind: 'optional-string' },
  { key: 'natsUrl', env: 'RTAP_NATS_URL', flag: '--nats-url', kind: 'string' },
  { key: 'influxUrl', env: 'RTAP_INFLUX_URL', flag: '--influx-url', kind: 'string' },
  { key: 'influxToken', env: 'RTAP_INFLUX_TOKEN', flag: '--influx-token', kind: 'string' },
  { key: 'influxOrg', env: 'RTAP_INFLUX_ORG', flag: '--influx-org', kind: 'string' },
  { key: 'influxBucket', env: 'RTAP_INFLUX_BUCKET', flag: '--influx-bucket', kind: 'string' },
  { key: 'uiDir', env: 'RTAP_GATEWAY_UI_DIR', flag: '--ui-dir', kind: 'string' },
  { key: 'replayMax', env: 'RTAP_GATEWAY_REPLAY_MAX', flag: '--replay-max', kind: 'int', min: 0 },
  { key: 'replayMs', env: 'RTAP_GATEWAY_REPLAY_MS', flag: '--replay-ms', kind: 'int', min: 0 },
  { key: 'batchMs', env: 'RTAP_GATEWAY_BATCH_MS', flag: '--batch-ms', kind: 'int', min: 1 },
  { key: 'batchMax', env: 'RTAP_GATEWAY_BATCH_MAX', flag: '--batch-max', kind: 'int', min: 1 },
  { key: 'slowClientBytes', env: 'RTAP_GATEWAY_SLOW_CLIENT_BYTES', flag: '--slow-client-bytes', kind: 'int', min: 1 },
  { key: 'slowClientPending', env: 'RTAP_GATEWAY_SLOW_CLIENT_PENDING', flag: '--slow-client-pending', kind: 'int', min: 1 },
  { key: 'maxBackpressureBytes', env: 'RTAP_GATEWAY_MAX_BACKPRESSURE_BYTES', flag: '--max-backpressure-bytes', kind: 'int', min: 1 },
  { key: 'heartbeatIntervalMs', env: 'RTAP_HEARTBEAT_INTERVAL_MS', flag: '--heartbeat-interval-ms', kind: 'int', min: 1 },
];

export class GatewayConfigError extends Error {}

/** Defaults, then environment, then flags (`--port 3001` or `--port=3001`). */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): GatewayConfig {
  const flags = parseFlags(argv);
  const raw: Partial<Record<keyof GatewayConfig, string>> = {};
  for (const k of configKeys) {
    const fromFlag = flags.get(k.flag);
    const fromEnv = env[k.env];
    if (fromFlag !== undefined) raw[k.key] = fromFlag;
    else if (fromEnv !== undefined && fromEnv !== '') raw[k.key] = fromEnv;
  }
  const unknown = [...flags.keys()].filter((f) => !configKeys.some((k) => k.flag === f));
  if (unknown.length > 0) throw new GatewayConfigError(`unknown gateway flag(s): ${unknown.join(', ')}`);
  const config: Record<string, unknown> = { ...defaultGatewayConfig };
  for (const k of configKeys) {
    const value = raw[k.key];
    if (value === undefined) continue;
    config[k.key] = k.kind === 'int' ? parseIntKey(value, k) : value;
  }
  return validateGatewayConfig(config as unknown as GatewayConfig);
}

/** Checks a config built in code (startGateway's argument) with the same messages as env/flags. */
export function validateGatewayConfig(config: GatewayConfig): GatewayConfig {
  for (const k of configKeys) {
    if (k.kind !== 'int') continue;
    const v = config[k.key];
    if (typeof v !== 'number') throw new GatewayConfigError(`invalid ${k.key} (${k.env}): expected a number`);
    parseIntKey(String(v), k);
  }
  for (const key of ['natsUrl', 'influxUrl'] as const) {
    try {
      new URL(config[key]);
    } catch {
      const k = configKeys.find((c) => c.key === key)!;
      throw new GatewayConfigError(`invalid ${key} (${k.env}): "${config[key]}" is not a URL`);
    }
  }
  return config;
}

function parseIntKey(value: string, k: (typeof configKeys)[number]): number {
  const n = Number(value);
  const where = `${k.key} (${k.env} / ${k.flag})`;
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new GatewayConfigError(`invalid ${where}: "${value}" is not an integer`);
  if (k.min !== undefined && n < k.min) throw new GatewayConfigError(`invalid ${where}: ${n} is below ${k.min}`);
  if (k.max !== undefined && n > k.max) throw new GatewayConfigError(`invalid ${where}: ${n} is above ${k.max}`);
  return n;
}

function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new GatewayConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(0, eq), arg.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new GatewayConfigError(`flag ${arg} needs a value`);
      flags.set(arg, next);
      i++;
    }
  }
  return flags;
}
