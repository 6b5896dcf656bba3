import { expect } from 'chai';
import { connect, type NatsConnection } from 'nats';
import { JetStreamPublisher, type JetStreamMessage } from '../../transports/nats/jetstream-publisher.ts';
import { TRACEPARENT_HEADER } from '../../transports/nats/contracts.ts';
import { endpoints, uniqueName } from '../support/endpoints.ts';

describe('JetStreamPublisher (real NATS JetStream)', () => {
  let nc: NatsConnection;
  const stream = uniqueName('itest-pub').replace(/[^a-zA-Z0-9_-]/g, '_');
  const subject = `itest.${stream}`;
  const encoder = new TextEncoder();
  const message = (i: number, extra: Partial<JetStreamMessage> = {}): JetStreamMessage => ({ subject, data: encoder.encode(`m${i}`), msgId: `id-${i}`, ...extra });

  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [subject], duplicate_window: 60_000_000_000 });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream);
    await nc.close();
  });

  it('resolves once every message is stored, keeps one copy per Nats-Msg-Id, and carries the traceparent header', async () => {
    const publisher = new JetStreamPublisher(nc, 5_000);
    const acks: (Error | undefined)[] = [];
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await publisher.publishAll(Array.from({ length: 500 }, (_, i) => message(i, i === 7 ? { traceparent, onAck: (e) => acks.push(e) } : {})));
    await publisher.publishAll(Array.from({ length: 500 }, (_, i) => message(i))); // a replay: all duplicates
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(stream)).state.messages).to.equal(500);
    expect(acks).to.deep.equal([undefined]);
    const seventh = await jsm.streams.getMessage(stream, { seq: 8 });
    expect(new TextDecoder().decode(seventh.data)).to.equal('m7');
    expect(seventh.header.get(TRACEPARENT_HEADER)).to.equal(traceparent);
    publisher.close();
  });

  it('rejects a batch, naming the subject, when no stream listens on it; every message hears why', async () => {
    const publisher = new JetStreamPublisher(nc, 5_000);
    const heard: string[] = [];
    const orphan = `itest.nostream.${stream}`;
    const batch = [message(1, { subject: orphan, onAck: (e) => heard.push(e?.message ?? 'ok') }), message(2, { subject: orphan, onAck: (e) => heard.push(e?.message ?? 'ok') })];
    let error: Error | undefined;
    await publisher.publishAll(batch).catch((e: Error) => (error = e));
    expect(error?.message).to.match(new RegExp(`JetStream refused ${orphan.replace(/\./g, '\\.')}: no stream listens on the subject \\(503\\)`));
    expect(heard).to.have.length(2);
    expect(heard[0]).to.match(/503/);
    publisher.close();
  });

  it('rejects a batch that is not acknowledged within its timeout', async () => {
    const silent = await connect({ servers: endpoints.natsServers });
    const subjectWithoutAcks = `itest.silent.${stream}`;
    const listener = silent.subscribe(subjectWithoutAcks); // a core subscriber: a responder that never replies
    await silent.flush();
    const publisher = new JetStreamPublisher(nc, 300);
    let error: Error | undefined;
    await publisher.publishAll([message(1, { subject: subjectWithoutAcks })]).catch((e: Error) => (error = e));
    expect(error?.message).to.equal('JetStream acknowledged 0 of 1 results within 300 ms');
    listener.unsubscribe();
    publisher.close();
    await silent.close();
  });
});
