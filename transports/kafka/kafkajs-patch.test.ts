// kafkajs 2.2.4 (unmaintained, pinned) re-arms a 1 ms timer forever on every broker connection that
// has sent a request, busy or idle (tulios/kafkajs#1556; the fix, #1667, was never released).
// patches/kafkajs+2.2.4.patch, applied by `npm install` (patch-package), schedules a check only when a
// request waits. This fails when an install skipped the patch.
import { expect } from 'chai';
import { createRequire } from 'node:module';

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}
const require = createRequire(import.meta.url);
const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as new (opts: Record<string, unknown>) => RequestQueue;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = (): RequestQueue => new RequestQueueClass({ maxInFlightRequests: 1, requestTimeout: 1_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:1', logger: quiet });

describe('kafkajs request queue (patched)', () => {
  it('arms no timer when nothing waits and nothing is throttled', () => {
    const q = queue();
    q.checkPendingRequests();
    const timer = q.throttleCheckTimeoutId;
    if (timer) clearTimeout(timer); // without the patch it would re-arm itself forever and keep mocha alive
    expect(timer, 'a timer re-armed with nothing to check: the kafkajs patch is missing').to.equal(null);
  });

  it('still checks again when the broker throttles a waiting request', () => {
    const q = queue();
    q.throttledUntil = Date.now() + 60_000;
    q.pending.push({});
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).to.not.equal(null);
    clearTimeout(q.throttleCheckTimeoutId!);
  });
});
