import { expect } from 'chai';
import { connect, headers, type NatsConnection } from 'nats';
import { ensureStream } from '../../transports/nats/ensure-stream.ts';
import { endpoints, uniqueName } from '../support/endpoints.ts';

describe('NATS JetStream (real server)', () => {
  let nc: NatsConnection;
  const stream = uniqueName('itest').replace(/[^a-zA-Z0-9_-]/g, '_');
  const subject = `itest.${stream}`;

  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject], duplicate_window: 60_000_000_000 });
  });

  after(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream);
    await nc.close();
  });

  it('keeps one message when the same Nats-Msg-Id is published twice', async () => {
    const js = nc.jetstream();
    const h = headers();
    h.set('X-Test', 'dedup');
    const first = await js.publish(subject, new TextEncoder().encode('result-1'), { msgID: 'result-1', headers: h });
    const second = await js.publish(subject, new TextEncoder().encode('result-1 again'), { msgID: 'result-1' });
    const other = await js.publish(subject, new TextEncoder().encode('result-2'), { msgID: 'result-2' });

    expect(first.duplicate).to.equal(false);
    expect(second.duplicate).to.equal(true);
    expect(second.seq).to.equal(first.seq);
    expect(other.duplicate).to.equal(false);

    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.state.messages).to.equal(2);
    const stored = await (await nc.jetstreamManager()).streams.getMessage(stream, { seq: first.seq });
    expect(new TextDecoder().decode(stored.data)).to.equal('result-1');
    expect(stored.header.get('X-Test')).to.equal('dedup');
  });

  it('ensureStream creates a stream once, adds missing subjects and raises a too-short duplicate window', async () => {
    const name = `${stream}_ensure`;
    const jsm = await nc.jetstreamManager();
    await Promise.all([1, 2].map(() => ensureStream(nc, { name, subjects: [`${subject}.a`], duplicateWindowMs: 60_000 })));
    expect((await jsm.streams.info(name)).config.duplicate_window).to.equal(60_000 * 1e6);
    await ensureStream(nc, { name, subjects: [`${subject}.b`], duplicateWindowMs: 600_000 });
    let info = await jsm.streams.info(name);
    expect(info.config.subjects).to.deep.equal([`${subject}.a`, `${subject}.b`]);
    expect(info.config.duplicate_window).to.equal(600_000 * 1e6);
    await ensureStream(nc, { name, subjects: [`${subject}.a`], duplicateWindowMs: 120_000 });
    info = await jsm.streams.info(name);
    expect(info.config.duplicate_window, 'a longer window set by an operator stays').to.equal(600_000 * 1e6);
    await jsm.streams.delete(name);
  });
});
