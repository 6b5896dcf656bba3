import { expect } from 'chai';
import { SendTimes } from './send-times.ts';

describe('SendTimes', () => {
  it('keeps each record\'s due and send times and measures the generator\'s lateness from the end of the warm-up', () => {
    const times = new SendTimes(1_000);
    times.sent(0, 0, 900, 950); // warm-up
    times.sent(0, 1, 1_000, 1_006);
    times.sent(3, 0, 1_002, 1_006);
    expect(times.timeOf(0, 1)).to.equal(1_000);
    expect(times.sentAt(0, 1)).to.equal(1_006);
    expect(times.sentAt(3, 1), 'not sent').to.equal(undefined);
    expect(times.timeOf(5, 0), 'a partition never seen').to.equal(undefined);
    const lateness = times.lateness.summary();
    expect(lateness.count, 'the warm-up event is left out').to.equal(2);
    expect(lateness.p50).to.be.closeTo(4, 0.01);
    expect(lateness.max).to.be.closeTo(6, 0.01);
  });

  it('grows past its first arrays, keeping what they held', () => {
    const times = new SendTimes();
    times.sent(1, 0, 41, 45);
    times.sent(1, 5_000, 42, 50);
    expect([times.timeOf(1, 0), times.sentAt(1, 0)]).to.deep.equal([41, 45]);
    expect([times.timeOf(1, 5_000), times.sentAt(1, 5_000)]).to.deep.equal([42, 50]);
  });
});
