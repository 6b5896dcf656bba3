// The Prometheus alert rules, checked and unit-tested by Prometheus's own promtool (built once into
// the download cache by infra/prometheus/promtool.sh): the rules parse, every alert fires on the
// series it is for after its `for` and not on a near miss, with its labels and rendered summary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const dir = fileURLToPath(new URL('../../infra/prometheus/', import.meta.url));

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('bash', [`${dir}promtool.sh`, ...args], { cwd: dir, encoding: 'utf8', timeout: 20 * 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('Prometheus alert rules (infra/prometheus/alerts.yml, with promtool)', function () {
  this.timeout(20 * 60_000); // a fresh machine builds promtool first

  it('parse, and the Prometheus config that loads them is valid', () => {
    const rules = promtool('check', 'rules', 'alerts.yml');
    expect(rules.output).to.match(/SUCCESS: 1[0-9] rules found/);
    expect(rules.status, rules.output).to.equal(0);
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config.status, config.output).to.equal(0);
    expect(config.output).to.include('SUCCESS: 1 rule files found');
  });

  it('fire on the series they are for, after their `for`, and stay quiet on a near miss (alerts.test.yml)', () => {
    const tests = promtool('test', 'rules', 'alerts.test.yml');
    expect(tests.status, tests.output).to.equal(0);
    expect(tests.output).to.include('SUCCESS');
  });

  it('a wrong expectation fails (the unit tests can fail)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rtap-alerts-'));
    try {
      // The gateway has been down for 30 s only: RtapGatewayDown (for: 1m) must not fire yet.
      writeFileSync(join(tmp, 'wrong.test.yml'), [
        `rule_files: [${JSON.stringify(join(dir, 'alerts.yml'))}]`,
        'evaluation_interval: 15s',
        'tests:',
        '  - interval: 15s',
        "    input_series: [{ series: 'up{job=\"rtap-gateway\", instance=\"gw:3000\"}', values: '1x3 0x12' }]",
        '    alert_rule_test:',
        '      - eval_time: 1m30s',
        '        alertname: RtapGatewayDown',
        '        exp_alerts: [{ exp_labels: { severity: critical, job: rtap-gateway, instance: "gw:3000" } }]',
      ].join('\n'));
      const tests = promtool('test', 'rules', join(tmp, 'wrong.test.yml'));
      expect(tests.status, tests.output).to.equal(1);
      expect(tests.output).to.include('RtapGatewayDown');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
