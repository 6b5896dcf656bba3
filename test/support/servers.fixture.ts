// Mocha global fixture for integration and end-to-end tests: the real servers must be up.
// It starts them (idempotent: a no-op when they already run) or fails the run with the reason
// the infra script printed. Servers are left running for the next run; `make infra-down` stops them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const infraScript = fileURLToPath(new URL('../../infra/infra.sh', import.meta.url));

export function mochaGlobalSetup(): void {
  try {
    execFileSync('bash', [infraScript, 'up'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  } catch {
    throw new Error('the real servers could not be started (see the lines above); integration tests need them');
  }
}
