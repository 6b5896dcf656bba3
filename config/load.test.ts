import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from './load.ts';
import { bool, hostPorts, int, oneOf, str, url } from './spec.ts';

const spec = {
  'node.id': str(() => 'generated', 'node name'),
  'kafka.brokers': hostPorts(['127.0.0.1:9092'], 'bootstrap brokers'),
  'checkpoint.interval-ms': int(10_000, 'checkpoint period', 100),
  'snapshot.backend': oneOf(['disk', 'nats'] as const, 'disk', 'where snapshots go'),
  'tracing.enabled': bool(true, 'export traces'),
  'influx.url': url('http://127.0.0.1:8086', 'InfluxDB', ['http', 'https']),
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config loader', () => {
  it('uses defaults when nothing is given', () => {
    const c = loadConfig(spec, { env: {} });
    expect(c).to.deep.equal({
      'node.id': 'generated',
      'kafka.brokers': ['127.0.0.1:9092'],
      'checkpoint.interval-ms': 10_000,
      'snapshot.backend': 'disk',
      'tracing.enabled': true,
      'influx.url': 'http://127.0.0.1:8086',
    });
  });

  it('layers file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtap-config-'));
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ node: { id: 'from-file' }, kafka: { brokers: ['a:1', 'b:2'] }, 'checkpoint.interval-ms': 500 }));
    const c = loadConfig(spec, {
      argv: ['--config', file, '--checkpoint.interval-ms=2000', '--tracing.enabled'],
      env: { RTAP_NODE_ID: 'from-env', RTAP_SNAPSHOT_BACKEND: 'nats', RTAP_TRACING_ENABLED: 'false' },
    });
    expect(c['node.id']).to.equal('from-env');
    expect(c['kafka.brokers']).to.deep.equal(['a:1', 'b:2']);
    expect(c['checkpoint.interval-ms']).to.equal(2000);
    expect(c['snapshot.backend']).to.equal('nats');
    expect(c['tracing.enabled']).to.equal(true);
  });

  it('fails fast naming the key and the source of a bad value', () => {
    const e1 = errorOf(() => loadConfig(spec, { env: { RTAP_CHECKPOINT_INTERVAL_MS: 'soon' } }));
    expect(e1.key).to.equal('checkpoint.interval-ms');
    expect(e1.message).to.equal('config: checkpoint.interval-ms (RTAP_CHECKPOINT_INTERVAL_MS): expected an integer, got "soon"');
    const e2 = errorOf(() => loadConfig(spec, { argv: ['--kafka.brokers=localhost'], env: {} }));
    expect(e2.message).to.contain('kafka.brokers (--kafka.brokers): expected host:port, got "localhost"');
    const e3 = errorOf(() => loadConfig(spec, { argv: ['--snapshot.backend', 's3'], env: {} }));
    expect(e3.message).to.contain('expected one of disk, nats');
    const e4 = errorOf(() => loadConfig(spec, { argv: ['--checkpoint.interval-ms=5'], env: {} }));
    expect(e4.message).to.contain('from 100 to');
    const e5 = errorOf(() => loadConfig(spec, { argv: ['--influx.url=ftp://x'], env: {} }));
    expect(e5.message).to.contain('expected a http/https URL');
  });

  it('rejects unknown keys from flags and files (typos must not pass silently)', () => {
    expect(errorOf(() => loadConfig(spec, { argv: ['--kafka.broker=a:1'], env: {} })).key).to.equal('kafka.broker');
    const dir = mkdtempSync(join(tmpdir(), 'rtap-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ snapshot: { backnd: 'disk' } }));
    expect(errorOf(() => loadConfig(spec, { argv: ['--config', file], env: {} })).key).to.equal('snapshot.backnd');
    writeFileSync(file, '{ nope');
    expect(errorOf(() => loadConfig(spec, { argv: ['--config', file], env: {} })).message).to.contain('not valid JSON');
    expect(errorOf(() => loadConfig(spec, { argv: ['--config', join(dir, 'missing.json')], env: {} })).message).to.contain('cannot read');
  });

  it('describes every key with its env name and default', () => {
    const text = describeConfig(spec);
    for (const key of Object.keys(spec)) expect(text).to.contain(`--${key}`);
    expect(text).to.contain('env RTAP_CHECKPOINT_INTERVAL_MS, default 10000');
  });
});
