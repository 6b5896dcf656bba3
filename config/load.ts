// Loads a configuration from defaults < file < environment < flags, validating every value.
// A bad value or an unknown key fails at once with a ConfigError that names the key and where
// it came from — a process must never start on a half-understood configuration.
import { readFileSync } from 'node:fs';
import { defaultOf, envName, showValue, type ConfigOf, type ConfigSpec } from './spec.ts';

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly source: string,
    message: string,
  ) {
    super(`config: ${key} (${source}): ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
}

/** Flags: `--kafka.brokers=a:1,b:2`, `--kafka.brokers a:1`, `--flag` (boolean true), `--config file.json`. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'command line', 'unexpected argument (flags look like --key=value)');
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    if (eq >= 0) out.set(body.slice(0, eq), body.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out.set(body, argv[++i]!);
    else out.set(body, '');
  }
  return out;
}

/** Flattens `{ kafka: { brokers: [...] } }` into `kafka.brokers`. */
function flatten(obj: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out.set(key, v);
  }
  return out;
}

function readFile(path: string): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config', 'command line', `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return flatten(JSON.parse(text) as Record<string, unknown>);
  } catch (err) {
    throw new ConfigError('config', path, `not valid JSON: ${(err as Error).message}`);
  }
}

export function loadConfig<S extends ConfigSpec>(spec: S, sources: ConfigSources = {}): ConfigOf<S> {
  const env = sources.env ?? process.env;
  const flags = parseFlags(sources.argv ?? []);
  const configPath = flags.get('config') ?? env.RTAP_CONFIG;
  flags.delete('config');
  const file = configPath ? readFile(configPath) : new Map<string, unknown>();

  const known = new Set(Object.keys(spec));
  for (const k of flags.keys()) {
    if (!known.has(k)) throw new ConfigError(k, 'command line', `unknown key (known: ${[...known].join(', ')})`);
  }
  for (const k of file.keys()) {
    if (!known.has(k)) throw new ConfigError(k, configPath ?? 'file', 'unknown key');
  }

  const out: Record<string, unknown> = {};
  for (const [key, keySpec] of Object.entries(spec)) {
    const flag = flags.get(key);
    const fromEnv = env[envName(key)];
    const parse = (raw: string, source: string): unknown => {
      try {
        return keySpec.parse(raw);
      } catch (err) {
        throw new ConfigError(key, source, (err as Error).message);
      }
    };
    if (flag !== undefined) out[key] = parse(flag, `--${key}`);
    else if (fromEnv !== undefined) out[key] = parse(fromEnv, envName(key));
    else if (file.has(key)) {
      const v = file.get(key);
      out[key] = parse(Array.isArray(v) ? v.join(',') : String(v), configPath ?? 'file');
    } else out[key] = defaultOf(keySpec);
  }
  return out as ConfigOf<S>;
}

/** `--help` text: every key with its env name, default and meaning. */
export function describeConfig(spec: ConfigSpec): string {
  const rows = Object.entries(spec).map(([key, s]) => {
    return `  --${key.padEnd(32)} ${s.describe}\n  ${''.padEnd(34)} env ${envName(key)}, default ${showValue(defaultOf(s))}`;
  });
  return rows.join('\n');
}
