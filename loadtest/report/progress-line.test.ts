import { expect } from 'chai';

import { formatProgress, ProgressPrinter, type ProgressState } from './progress-line.ts';

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  t: 12, durationS: 60, sent: 120_000, targetPerS: 10_000, sentPerS: 9_998, processedPerS: 9_990, lag: 120,
  updatesP99: 8.1, alertsP99: 9.3, errors: 0, machineCpu: 143.4, ...over,
});

class Sink {
  out = '';
  constructor(readonly isTTY: boolean) {}
  write(s: string): boolean {
    this.out += s;
    return true;
  }
}

describe('formatProgress', () => {
  it('formats one short line', () => {
    expect(formatProgress(state())).to.equal(
      '[ 12/60s] 10000/s target  9998/s sent  9990/s processed  lag 120  p99 upd 8.1 ms  alert 9.3 ms  err 0  cpu 143%',
    );
  });

  it('shows missing latencies as "-" and scales precision with size', () => {
    const line = formatProgress(state({ t: 3, durationS: 1200, updatesP99: null, alertsP99: 0.456, sentPerS: 10_000.4 }));
    expect(line).to.match(/^\[ {3}3\/1200s\] /);
    expect(line).to.contain('p99 upd -  alert 0.46 ms');
    expect(line).to.contain('10000/s sent');
    expect(formatProgress(state({ updatesP99: 1234.5 }))).to.contain('p99 upd 1235 ms');
  });
});

describe('ProgressPrinter', () => {
  it('rewrites the line in place on a TTY and ends it on done()', () => {
    const sink = new Sink(true);
    const p = new ProgressPrinter({ stream: sink });
    p.update(state({ t: 1 }));
    p.update(state({ t: 2 }));
    p.log('node-2 killed');
    p.update(state({ t: 3 }));
    p.done();
    expect(sink.out.match(/\r/g)?.length).to.equal(4);
    expect(sink.out.split('\n')).to.have.length(3); // the note, the last progress line, and the empty rest
    expect(sink.out).to.contain('\r\x1b[Knode-2 killed\n');
    expect(sink.out.endsWith('err 0  cpu 143%\x1b[K\n')).to.equal(true);
  });

  it('prints a full line every 5 s without a TTY, and the last state on done()', () => {
    const sink = new Sink(false);
    const p = new ProgressPrinter({ stream: sink });
    for (let t = 1; t <= 12; t++) p.update(state({ t }));
    p.done();
    const lines = sink.out.trimEnd().split('\n');
    expect(lines.map((l) => /^\[\s*(\d+)\//.exec(l)?.[1])).to.deep.equal(['1', '6', '11', '12']);
    expect(sink.out).to.not.contain('\r');
  });

  it('does not repeat the last line on done() when it was already printed', () => {
    const sink = new Sink(false);
    const p = new ProgressPrinter({ stream: sink, everyS: 1 });
    p.update(state({ t: 1 }));
    p.update(state({ t: 2 }));
    p.done();
    expect(sink.out.trimEnd().split('\n')).to.have.length(2);
  });
});
