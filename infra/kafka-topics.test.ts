// The topics Kafka's start creates (infra/servers/kafka.sh, kafka_topics_create): the input's
// partitions from RTAP_EVENTS_PARTITIONS, and a bad value refused before anything is created. Kafka's
// topic tool is replaced by a stand-in that records its arguments, in a run directory of its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const LIB = fileURLToPath(new URL('./lib.sh', import.meta.url));
const KAFKA = fileURLToPath(new URL('./servers/kafka.sh', import.meta.url));

/** Runs kafka_topics_create; returns the exit code, stderr and each "topic:partitions" it asked for. */
function createWith(partitions: string | undefined): { code: number | null; stderr: string; created: string[] } {
  const run = mkdtempSync(join(tmpdir(), 'rtap-topics-'));
  try {
    mkdirSync(join(run, 'logs'));
    const calls = join(run, 'calls');
    const env: NodeJS.ProcessEnv = { ...process.env, RTAP_RUN: run };
    delete env.RTAP_EVENTS_PARTITIONS;
    if (partitions !== undefined) env.RTAP_EVENTS_PARTITIONS = partitions;
    // The stand-in prints "<topic>:<partitions>" from TopicCommand's arguments.
    const script = `source "${LIB}"; source "${KAFKA}"
kafka_java() { local a t p; while [ $# -gt 0 ]; do a=$1; shift; case $a in --topic) t=$1;; --partitions) p=$1;; esac; done; echo "$t:$p" >> "${calls}"; }
kafka_topics_create`;
    const out = spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
    const created = existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').sort() : [];
    return { code: out.status, stderr: out.stderr, created };
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}

describe('kafka_topics_create (infra/servers/kafka.sh)', () => {
  it('creates the input with 12 partitions by default, RTAP_EVENTS_PARTITIONS otherwise, and the DLQ with 3', () => {
    expect(createWith(undefined)).to.include({ code: 0 }).and.to.have.property('created').deep.equal(['events.dlq:3', 'events:12']);
    expect(createWith('4').created).to.deep.equal(['events.dlq:3', 'events:4']);
  });

  it('refuses a value that is not a whole number of at least 1, naming the key, and creates nothing', () => {
    for (const bad of ['0', 'four', '2.5']) {
      const { code, stderr, created } = createWith(bad);
      expect(code, bad).to.equal(1);
      expect(stderr).to.include('RTAP_EVENTS_PARTITIONS').and.include(`'${bad}'`);
      expect(created).to.deep.equal([]);
    }
  });
});
