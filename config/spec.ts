// A configuration is declared once as a spec: every key with its type, default and meaning.
// The loader, the `--help` text and docs/configuration.md all come from the spec, so they cannot
// drift apart.

export type Parser<T> = (raw: string) => T;

export interface KeySpec<T> {
  readonly default: T | (() => T);
  readonly describe: string;
  /** Parses a string (flag, env) into the value; throws with a message saying what was expected. */
  readonly parse: Parser<T>;
  /** Also accepts an already-typed value from a JSON file. */
  readonly check?: (value: unknown) => T;
}

export type ConfigSpec = Record<string, KeySpec<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { [K in keyof S]: S[K] extends KeySpec<infer T> ? T : never };

/** Env name for a key: `kafka.brokers` → `RTAP_KAFKA_BROKERS`. */
export const envName = (key: string): string => `RTAP_${key.replace(/[.-]/g, '_').toUpperCase()}`;

export const str = (def: string | (() => string), describe: string): KeySpec<string> => ({
  default: def,
  describe,
  parse: (raw) => raw,
});

export const int = (def: number, describe: string, min = 0, max = Number.MAX_SAFE_INTEGER): KeySpec<number> => ({
  default: def,
  describe,
  parse: (raw) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new Error(`expected an integer, got "${raw}"`);
    if (n < min || n > max) throw new Error(`expected an integer from ${min} to ${max}, got ${n}`);
    return n;
  },
});

export const num = (def: number, describe: string, min = 0, max = Number.MAX_VALUE): KeySpec<number> => ({
  default: def,
  describe,
  parse: (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`expected a number, got "${raw}"`);
    if (n < min || n > max) throw new Error(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  },
});

export const bool = (def: boolean, describe: string): KeySpec<boolean> => ({
  default: def,
  describe,
  parse: (raw) => {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on', ''].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    throw new Error(`expected true or false, got "${raw}"`);
  },
});

export const oneOf = <T extends string>(values: readonly T[], def: T, describe: string): KeySpec<T> => ({
  default: def,
  describe: `${describe} (${values.join(' | ')})`,
  parse: (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  },
});

/** Comma-separated `host:port` list. */
export const hostPorts = (def: string[], describe: string): KeySpec<string[]> => ({
  default: def,
  describe,
  parse: (raw) => {
    const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) throw new Error('expected at least one host:port');
    for (const hp of list) {
      const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hp);
      if (!m || Number(m[2]) > 65535) throw new Error(`expected host:port, got "${hp}"`);
    }
    return list;
  },
});

/** An absolute URL with one of the given schemes. */
export const url = (def: string, describe: string, schemes: string[]): KeySpec<string> => ({
  default: def,
  describe,
  parse: (raw) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error(`expected a URL, got "${raw}"`);
    }
    if (!schemes.includes(u.protocol.replace(/:$/, ''))) throw new Error(`expected a ${schemes.join('/')} URL, got "${raw}"`);
    return raw.replace(/\/$/, '');
  },
});

export function defaultOf<T>(spec: KeySpec<T>): T {
  return typeof spec.default === 'function' ? (spec.default as () => T)() : spec.default;
}

/** A value as `--help` and the docs show it: lists comma-separated, empty as `(none)`. */
export function showValue(value: unknown): string {
  const shown = Array.isArray(value) ? value.join(',') : String(value);
  return shown === '' ? '(none)' : shown;
}
