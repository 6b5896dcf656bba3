// The Go servers' processor limit (infra/lib.sh, start_go_daemon): what the started process gets in
// GOMAXPROCS, and a bad value refused before anything starts. A stand-in command, in a run directory
// of its own: the helper is the same for NATS, InfluxDB, Jaeger and Prometheus.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const LIB = fileURLToPath(new URL('./lib.sh', import.meta.url));

/** Runs start_go_daemon with a command that writes its GOMAXPROCS to the log; returns the exit code, stderr and that log. */
function startWith(maxprocs: string | undefined): { code: number | null; stderr: string; log: string } {
  const run = mkdtempSync(join(tmpdir(), 'rtap-go-'));
  try {
    const log = join(run, 'fake.log');
    const env: NodeJS.ProcessEnv = { ...process.env, RTAP_RUN: run };
    delete env.RTAP_GO_MAXPROCS;
    delete env.GOMAXPROCS;
    if (maxprocs !== undefined) env.RTAP_GO_MAXPROCS = maxprocs;
    const script = `source "${LIB}"; start_go_daemon fake "${log}" sh -c 'echo "GOMAXPROCS=\${GOMAXPROCS-unset}"' || exit $?; wait`;
    const out = spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
    return { code: out.status, stderr: out.stderr, log: existsSync(log) ? readFileSync(log, 'utf8') : '' };
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}

describe('start_go_daemon (infra/lib.sh)', () => {
  it('gives a Go server one processor by default, RTAP_GO_MAXPROCS otherwise, and Go its own default for 0', () => {
    expect(startWith(undefined).log.trim()).to.equal('GOMAXPROCS=1');
    expect(startWith('2').log.trim()).to.equal('GOMAXPROCS=2');
    expect(startWith('0').log.trim()).to.equal('GOMAXPROCS=unset');
  });

  it('refuses a value that is not a whole number, naming the key, and starts nothing', () => {
    const { code, stderr, log } = startWith('two');
    expect(code).to.equal(1);
    expect(stderr).to.include('RTAP_GO_MAXPROCS').and.include("'two'");
    expect(log).to.equal('');
  });
});
