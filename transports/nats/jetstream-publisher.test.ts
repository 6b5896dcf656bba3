import { expect } from 'chai';
import { headers } from 'nats';
import { ackProblem } from './jetstream-publisher.ts';

const reply = (body: string, status?: { code: number; description: string }): Parameters<typeof ackProblem>[0] => {
  const h = status ? headers(status.code, status.description) : undefined;
  return { data: new TextEncoder().encode(body), headers: h };
};

describe('ackProblem (JetStream publish replies)', () => {
  it('accepts a PubAck, also for a duplicate', () => {
    expect(ackProblem(reply('{"stream":"RTAP_RESULTS","seq":42}'))).to.equal(undefined);
    expect(ackProblem(reply('{"stream":"RTAP_RESULTS", "seq":42, "duplicate":true}'))).to.equal(undefined);
  });

  it('names a JetStream error, a 503 without a stream, and replies that are not PubAcks', () => {
    expect(ackProblem(reply('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}'))).to.equal('maximum messages exceeded (503)');
    expect(ackProblem(reply('{"stream":"X","error":{"code":400,"description":"bad"}}'))).to.equal('bad (400)');
    expect(ackProblem(reply('', { code: 503, description: 'No Responders' }))).to.equal('no stream listens on the subject (503)');
    expect(ackProblem(reply('', { code: 408, description: 'Request Timeout' }))).to.equal('status 408 Request Timeout');
    expect(ackProblem(reply('not json'))).to.equal('reply is not JSON');
    expect(ackProblem(reply('{"seq":1}'))).to.equal('reply is not a PubAck');
  });
});
