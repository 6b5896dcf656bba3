import { expect } from 'chai';
import { tokenFrom, tokenMatches } from './auth.ts';
import { ConfigError, describeConfig } from '../config/load.ts';
import { nodeConfigSpec } from '../node/config.ts';
import { RESULTS_DUPLICATE_WINDOW_MS } from '../transports/nats/contracts.ts';
import { defaultGatewayConfig, gatewayConfigSpec, loadGatewayConfig, validateGatewayConfig } from './config.ts';
import { isValidTopic, topicsOf } from './protocol.ts';
import { contentTypeOf } from './static-files.ts';
import { traceIdFromTraceparent } from './trace.ts';

describe('gateway auth', () => {
  it('reads the token from Bearer or ?token= and compares it', () => {
    expect(tokenFrom('token=abc', '')).to.equal('abc');
    expect(tokenFrom('', 'Bearer xyz')).to.equal('xyz');
    expect(tokenFrom('a=1', '')).to.equal(undefined);
    expect(tokenMatches(undefined, undefined)).to.equal(true);
    expect(tokenMatches('s', undefined)).to.equal(false);
    expect(tokenMatches('s', 'S')).to.equal(false);
    expect(tokenMatches('secret', 'secret')).to.equal(true);
  });
});

describe('gateway config', () => {
  it('applies defaults, then env, then flags', () => {
    const c = loadGatewayConfig({ env: { RTAP_GATEWAY_PORT: '4000', RTAP_GATEWAY_TOKEN: 't', RTAP_NATS_SERVERS: 'nats://n1:4222,nats://n2:4222' }, argv: ['--gateway.port', '4001', '--gateway.batch-ms=20'] });
    expect(c).to.include({ port: 4001, token: 't', batchMs: 20, natsUrl: 'nats://n1:4222,nats://n2:4222', host: '127.0.0.1', replayMax: 1000 });
    expect(loadGatewayConfig({ env: {} })).to.deep.equal(defaultGatewayConfig);
    expect(defaultGatewayConfig.token).to.equal(undefined);
    expect(loadGatewayConfig({ env: { RTAP_GATEWAY_PORT: '0' } }).port).to.equal(0);
  });

  it('shares the servers\' keys with the node, so one env file configures both', () => {
    for (const key of ['nats.servers', 'influx.url', 'influx.org', 'influx.bucket', 'influx.token', 'heartbeat.interval-ms'] as const) {
      expect(gatewayConfigSpec[key], key).to.equal(nodeConfigSpec[key]);
    }
    const env = { RTAP_NATS_SERVERS: 'nats://n:4222', RTAP_INFLUX_URL: 'http://i:8086', RTAP_INFLUX_BUCKET: 'b', RTAP_HEARTBEAT_INTERVAL_MS: '500' };
    expect(loadGatewayConfig({ env })).to.include({ natsUrl: 'nats://n:4222', influxUrl: 'http://i:8086', influxBucket: 'b', heartbeatIntervalMs: 500 });
  });

  it('names the key in errors, from env, flags and startGateway options', () => {
    expect(() => loadGatewayConfig({ env: { RTAP_GATEWAY_PORT: '70000' } })).to.throw(ConfigError, /gateway\.port \(RTAP_GATEWAY_PORT\): expected an integer from 0 to 65535/);
    expect(() => loadGatewayConfig({ env: { RTAP_GATEWAY_PORT: 'abc' } })).to.throw(/expected an integer/);
    expect(() => loadGatewayConfig({ env: { RTAP_INFLUX_URL: 'not a url' } })).to.throw(/influx\.url \(RTAP_INFLUX_URL\)/);
    expect(() => loadGatewayConfig({ env: {}, argv: ['--nope', '1'] })).to.throw(ConfigError, /nope.*unknown key/);
    expect(() => loadGatewayConfig({ env: {}, argv: ['--port', '1'] })).to.throw(ConfigError, /port.*unknown key/);
    expect(() => validateGatewayConfig({ ...defaultGatewayConfig, batchMs: 0 })).to.throw(ConfigError, /gateway\.batch-ms \(startGateway\(\{ batchMs \}\)\)/);
    expect(validateGatewayConfig({ ...defaultGatewayConfig, port: 0 }).port).to.equal(0);
  });

  it('prints every key for --help', () => {
    const help = describeConfig(gatewayConfigSpec);
    for (const key of Object.keys(gatewayConfigSpec)) expect(help).to.contain(`--${key}`);
    expect(help).to.contain('RTAP_NATS_SERVERS');
  });

  it('creates the results stream with the node\'s default duplicate window', () => {
    expect(nodeConfigSpec['nats.duplicate-window-ms'].default).to.equal(RESULTS_DUPLICATE_WINDOW_MS);
  });
});

describe('gateway topics, trace ids, content types', () => {
  it('maps results to topics and validates client topics', () => {
    expect(topicsOf({ kind: 'pattern', pattern: 'burst' } as never)).to.deep.equal(['pattern.burst', 'alerts', 'results']);
    expect(topicsOf({ kind: 'window', analytic: 'page-views' } as never)).to.deep.equal(['window.page-views', 'results']);
    expect(isValidTopic('window.page-views')).to.equal(true);
    expect(isValidTopic('cluster')).to.equal(true);
    expect(isValidTopic('window.')).to.equal(false);
    expect(isValidTopic('other')).to.equal(false);
  });

  it('extracts the trace id from a traceparent', () => {
    expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).to.equal('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).to.equal(undefined);
    expect(traceIdFromTraceparent('garbage')).to.equal(undefined);
    expect(traceIdFromTraceparent(undefined)).to.equal(undefined);
  });

  it('serves the usual content types', () => {
    expect(contentTypeOf('/assets/a.js')).to.match(/javascript/);
    expect(contentTypeOf('index.html')).to.match(/text\/html/);
    expect(contentTypeOf('x.css')).to.match(/text\/css/);
    expect(contentTypeOf('x.bin')).to.equal('application/octet-stream');
  });
});
