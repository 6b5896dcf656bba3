// gateway/main.ts as a process: config errors name the key, SIGTERM closes cleanly; and health
// reports a degraded InfluxDB.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startGateway } from '../../gateway/gateway.ts';
import { endpoints } from '../support/endpoints.ts';
import { TestWsClient } from '../support/ws-client.ts';
import type { ServerMessage } from '../../gateway/protocol.ts';

const mainTs = fileURLToPath(new URL('../../gateway/main.ts', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): { done: Promise<{ code: number | null; out: string }>; kill(signal: NodeJS.Signals): void; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return { done, kill: (s) => child.kill(s), output: () => out };
}

describe('gateway process and health (integration)', function () {
  this.timeout(30_000);

  it('fails at start-up naming the config key of an invalid value', async () => {
    const { code, out } = await run([], { RTAP_GATEWAY_PORT: 'eighty' }).done;
    expect(code).to.equal(1);
    expect(out).to.contain('gateway.port (RTAP_GATEWAY_PORT)').and.contain('expected an integer');
    const bad = await run(['--nats.servers=nats://127.0.0.1:1']).done;
    expect(bad.code).to.equal(1);
    expect(bad.out).to.contain('nats.servers (RTAP_NATS_SERVERS)');
    const unknown = await run(['--nats-url', 'nats://127.0.0.1:4222']).done;
    expect(unknown.code).to.equal(1);
    expect(unknown.out).to.contain('nats-url').and.contain('unknown key');
  });

  it('prints every key with its env name for --help and exits 0', async () => {
    const { code, out } = await run(['--help']).done;
    expect(code, out).to.equal(0);
    expect(out).to.contain('usage: rtap gateway').and.contain('--gateway.port').and.contain('RTAP_NATS_SERVERS');
  });

  it('starts from flags and env and exits 0 on SIGTERM', async () => {
    const p = run(['--gateway.port', '0'], { RTAP_NATS_SERVERS: endpoints.natsServers });
    const deadline = Date.now() + 20_000;
    while (!/listening on (http:\/\/\S+)/.test(p.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const url = /listening on (http:\/\/\S+)/.exec(p.output())?.[1];
    expect(url, p.output()).to.be.a('string');
    expect((await fetch(`${url}/api/health`)).status).to.equal(200);
    p.kill('SIGTERM');
    const { code, out } = await p.done;
    expect(code, out).to.equal(0);
  });

  it('answers 503 with a reason when InfluxDB is unreachable, and rejects unknown topics', async () => {
    const g = await startGateway({ port: 0, natsUrl: endpoints.natsServers, influxUrl: 'http://127.0.0.1:9', uiDir: '/nonexistent' });
    try {
      const r = await fetch(`${g.url}/api/health`);
      expect(r.status).to.equal(503);
      const body = (await r.json()) as { status: string; reasons: string[]; nats: { connected: boolean } };
      expect(body.status).to.equal('degraded');
      expect(body.nats.connected).to.equal(true);
      expect(body.reasons.join()).to.contain('InfluxDB unreachable');
      expect((await fetch(`${g.url}/`)).status).to.equal(503); // UI not built there: says how to build it
      const c = await TestWsClient.connect(`${g.url.replace('http', 'ws')}/ws`);
      c.send({ type: 'subscribe', topics: ['nope'] });
      await c.waitFor((m) => (m as ServerMessage[]).some((x) => x.type === 'error'), 3000, 'an error message');
      c.close();
    } finally {
      await g.close();
    }
  });
});
