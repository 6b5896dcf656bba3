import { expect } from 'chai';
import { tokenFrom, tokenMatches } from './auth.ts';
import { GatewayConfigError, loadGatewayConfig } from './config.ts';
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
  it('applies env, then flags', () => {
    const c = loadGatewayConfig({ RTAP_GATEWAY_PORT: '4000', RTAP_GATEWAY_TOKEN: 't' }, ['--port', '4001', '--batch-ms=20']);
    expect(c).to.include({ port: 4001, token: 't', batchMs: 20 });
  });

  it('names the key in errors', () => {
    expect(() => loadGatewayConfig({ RTAP_GATEWAY_PORT: '70000' })).to.throw(GatewayConfigError, /port \(RTAP_GATEWAY_PORT/);
    expect(() => loadGatewayConfig({ RTAP_GATEWAY_PORT: 'abc' })).to.throw(/not an integer/);
    expect(() => loadGatewayConfig({ RTAP_NATS_URL: 'not a url' })).to.throw(/natsUrl \(RTAP_NATS_URL\)/);
    expect(() => loadGatewayConfig({}, ['--nope', '1'])).to.throw(/unknown gateway flag/);
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
