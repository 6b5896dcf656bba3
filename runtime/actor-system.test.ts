import { expect } from 'chai';
import { stat } from 'node:fs/promises';
import { Actor } from './actor.ts';
import type { ActorRef, Terminated } from './actor.ts';
import { ActorStoppedError, AskTimeoutError, StashOverflowError } from './errors.ts';
import { Supervision } from './supervision.ts';
import { flush, testSystem, until } from './test-helpers.ts';

class Recorder<M> extends Actor<M> {
  readonly seen: M[] = [];
  receive(msg: M): void {
    this.seen.push(msg);
  }
}

/** Spawns via a factory that also hands back each instance (for white-box assertions). */
function instances<A>(): { make: (create: () => A) => () => A; all: A[]; last: () => A } {
  const all: A[] = [];
  return {
    all,
    make: (create) => () => {
      const a = create();
      all.push(a);
      return a;
    },
    last: () => all[all.length - 1] as A,
  };
}

type Get = { readonly type: 'get'; readonly replyTo: ActorRef<number> };
type Ignore = { readonly type: 'ignore'; readonly replyTo: ActorRef<number> };

describe('ActorSystem', () => {
  it('delivers messages in order and names actors by path', async () => {
    const { system } = testSystem();
    const rec = instances<Recorder<number>>();
    const parent = system.spawn(rec.make(() => new Recorder<number>()), { name: 'parent' });
    const anon = system.spawn(() => new Recorder<number>());
    expect(parent.path).to.equal('/user/parent');
    expect(anon.path).to.match(/^\/user\/\$/);
    expect(() => system.spawn(() => new Recorder<number>(), { name: 'parent' })).to.throw(/not unique/);
    for (let i = 0; i < 500; i++) parent.tell(i);
    await flush();
    expect(rec.last().seen).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
    expect(system.lookup('/user/parent')).to.equal(parent);
    await system.terminate();
  });

  it('spawns children with nested paths; stopping a parent stops children first', async () => {
    const { system } = testSystem();
    const order: string[] = [];
    class Leaf extends Actor<never> {
      receive(): void {}
      override postStop(): void {
        order.push(this.context.path);
      }
    }
    class Parent extends Actor<never> {
      override preStart(): void {
        this.context.spawn(() => new Leaf(), { name: 'a' });
        this.context.spawn(() => new Leaf(), { name: 'b' });
      }
      receive(): void {}
      override postStop(): void {
        order.push(this.context.path);
      }
    }
    const parent = system.spawn(() => new Parent(), { name: 'p' });
    expect(system.inspect().map((s) => s.path)).to.deep.equal(['/user', '/user/p', '/user/p/a', '/user/p/b']);
    await system.stop(parent);
    expect(order).to.deep.equal(['/user/p/a', '/user/p/b', '/user/p']);
    expect(parent.isAlive).to.equal(false);
    expect(system.inspect().map((s) => s.path)).to.deep.equal(['/user']);
  });

  it('refuses construction outside spawn', () => {
    expect(() => new Recorder<number>()).to.throw(/spawn/);
  });

  it('sends messages to a stopped actor to dead letters (counted and observable)', async () => {
    const { system } = testSystem();
    const ref = system.spawn(() => new Recorder<string>());
    await system.stop(ref);
    const letters: unknown[] = [];
    system.deadLetters.subscribe((l) => letters.push([l.recipient, l.message, l.reason]));
    expect(ref.tell('late')).to.equal(false);
    expect(await ref.send('later')).to.equal(false);
    expect(system.deadLetters.count).to.equal(2);
    expect(system.deadLetters.countOf('stopped')).to.equal(2);
    expect(letters).to.deep.equal([
      [ref.path, 'late', 'stopped'],
      [ref.path, 'later', 'stopped'],
    ]);
  });

  it('dead-letters messages still queued when an actor stops', async () => {
    const { system } = testSystem();
    class Stopper extends Actor<number> {
      receive(n: number): void {
        if (n === 0) this.context.stopSelf();
      }
    }
    const ref = system.spawn(() => new Stopper());
    for (let i = 0; i < 5; i++) ref.tell(i);
    await system.whenStopped(ref);
    expect(system.deadLetters.countOf('stopped')).to.equal(4);
  });

  describe('ask', () => {
    class Counter extends Actor<Get | Ignore> {
      n = 41;
      receive(msg: Get | Ignore): void {
        if (msg.type === 'get') msg.replyTo.tell(++this.n);
      }
    }

    it('replies', async () => {
      const { system } = testSystem();
      const ref = system.spawn(() => new Counter());
      expect(await ref.ask<number>((replyTo) => ({ type: 'get', replyTo }))).to.equal(42);
      await system.terminate();
    });

    it('times out on the (fake) clock, and a late reply becomes a dead letter', async () => {
      const { system, clock } = testSystem();
      let held: ActorRef<number> | undefined;
      class Holder extends Actor<Ignore> {
        receive(msg: Ignore): void {
          held = msg.replyTo;
        }
      }
      const ref = system.spawn(() => new Holder());
      const pending = ref.ask<number>((replyTo) => ({ type: 'ignore', replyTo }), 500);
      await flush();
      clock.advance(499);
      await flush();
      let settled = false;
      void pending.then(
        () => (settled = true),
        () => (settled = true),
      );
      await flush();
      expect(settled).to.equal(false);
      clock.advance(1);
      const error: unknown = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AskTimeoutError);
      expect((error as Error).message).to.include(ref.path);
      held?.tell(1);
      expect(system.deadLetters.countOf('late-reply')).to.equal(1);
      await system.terminate();
    });

    it('rejects at once when the actor is already dead', async () => {
      const { system } = testSystem();
      const ref = system.spawn(() => new Counter());
      await system.stop(ref);
      const error: unknown = await ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 60_000).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ActorStoppedError);
    });

    it('rejects as soon as the actor dies while the ask is pending (not after the timeout)', async () => {
      const { system } = testSystem();
      const ref = system.spawn(() => new Counter());
      const pending = ref.ask<number>((replyTo) => ({ type: 'ignore', replyTo }), 60_000);
      await flush();
      await system.stop(ref);
      const error: unknown = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ActorStoppedError);
    });
  });

  describe('death watch', () => {
    it('tells the watcher when and why a watched actor ended', async () => {
      const { system } = testSystem();
      class Boom extends Actor<string> {
        receive(): void {
          throw new Error('boom');
        }
      }
      const rec = instances<Recorder<Terminated>>();
      const watcher = system.spawn(rec.make(() => new Recorder<Terminated>()));
      const quiet = system.spawn(() => new Recorder<string>(), { name: 'quiet' });
      const failing = system.spawn(() => new Boom(), { name: 'failing', supervision: Supervision.stop() });
      class Watcher extends Actor<Terminated> {
        override preStart(): void {
          this.context.watch(quiet, (t) => t);
          this.context.watch(failing, (t) => t);
        }
        receive(t: Terminated): void {
          watcher.tell(t);
        }
      }
      system.spawn(() => new Watcher());
      await flush();
      await system.stop(quiet);
      failing.tell('x');
      await until(() => rec.last().seen.length === 2);
      const [first, second] = rec.last().seen;
      expect(first).to.include({ path: '/user/quiet', reason: 'stopped' });
      expect(second).to.include({ path: '/user/failing', reason: 'failed' });
      expect((second?.error as Error).message).to.equal('boom');
      // watching an actor that is already dead notifies at once
      const late = await system.whenStopped(quiet);
      expect(late.reason).to.equal('stopped');
      await system.terminate();
    });
  });

  describe('stash', () => {
    it('holds messages and unstashes them in their original order, before newer ones', async () => {
      const { system } = testSystem();
      const seen: string[] = [];
      class Gate extends Actor<string> {
        open = false;
        receive(msg: string): void {
          if (msg === 'open') {
            this.open = true;
            this.context.unstashAll();
            return;
          }
          if (!this.open) this.context.stash(msg);
          else seen.push(msg);
        }
      }
      const ref = system.spawn(() => new Gate());
      ['a', 'b', 'c', 'open', 'd'].forEach((m) => ref.tell(m));
      await flush();
      expect(seen).to.deep.equal(['a', 'b', 'c', 'd']);
      await system.terminate();
    });

    it('throws StashOverflowError beyond its capacity (a failure for the supervisor)', async () => {
      const { system } = testSystem();
      class Hoarder extends Actor<number> {
        receive(n: number): void {
          this.context.stash(n);
        }
      }
      const ref = system.spawn(() => new Hoarder(), { stashCapacity: 2, supervision: Supervision.stop() });
      [1, 2, 3].forEach((n) => ref.tell(n));
      const t = await system.whenStopped(ref);
      expect(t.error).to.be.instanceOf(StashOverflowError);
      // the stashed messages went to dead letters with the actor
      expect(system.deadLetters.countOf('stopped')).to.equal(2);
    });
  });

  describe('timers', () => {
    it('delivers single and periodic timer messages on the clock', async () => {
      const { system, clock } = testSystem();
      const rec = instances<Recorder<string>>();
      class Ticker extends Recorder<string> {
        override preStart(): void {
          this.context.timers.startSingle('once', 'once', 100);
          this.context.timers.startPeriodic('tick', 'tick', 40);
        }
      }
      system.spawn(rec.make(() => new Ticker()));
      await flush();
      clock.advance(100);
      await flush();
      expect(rec.last().seen).to.deep.equal(['tick', 'tick', 'once']);
      await system.terminate();
      expect(clock.pendingTimers).to.equal(0);
    });

    it('starts a periodic timer after its initial delay, then runs it every interval', async () => {
      const { system, clock } = testSystem();
      const rec = instances<Recorder<string>>();
      class Ticker extends Recorder<string> {
        override preStart(): void {
          this.context.timers.startPeriodic('tick', 'tick', 40, 15);
        }
      }
      system.spawn(rec.make(() => new Ticker()));
      await flush();
      clock.advance(14);
      await flush();
      expect(rec.last().seen).to.deep.equal([]);
      clock.advance(1); // 15: the first tick
      await flush();
      expect(rec.last().seen).to.deep.equal(['tick']);
      clock.advance(40 + 40); // 95: two more
      await flush();
      expect(rec.last().seen).to.deep.equal(['tick', 'tick', 'tick']);
      await system.terminate();
    });

    it('cancels timers on stop and on restart', async () => {
      const { system, clock } = testSystem();
      const rec = instances<Recorder<string>>();
      class Ticker extends Recorder<string> {
        override receive(msg: string): void {
          if (msg === 'crash') throw new Error('crash');
          super.receive(msg);
          if (msg === 'start') this.context.timers.startPeriodic('tick', 'tick', 10);
        }
      }
      const ref = system.spawn(rec.make(() => new Ticker()));
      ref.tell('start');
      await flush();
      expect(clock.pendingTimers).to.equal(1);
      ref.tell('crash');
      await until(() => rec.all.length === 2);
      expect(clock.pendingTimers).to.equal(0);
      clock.advance(100);
      await flush();
      expect(rec.last().seen).to.deep.equal([]);
      ref.tell('start');
      await flush();
      expect(clock.pendingTimers).to.equal(1);
      await system.stop(ref);
      expect(clock.pendingTimers).to.equal(0);
      await system.terminate();
    });
  });

  describe('mailbox policies through refs', () => {
    it('backpressure: send awaits capacity while tell refuses', async () => {
      const { system } = testSystem();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const seen: number[] = [];
      class Slow extends Actor<number> {
        async receive(n: number): Promise<void> {
          if (n === 0) await gate;
          seen.push(n);
        }
      }
      const ref = system.spawn(() => new Slow(), { mailbox: { capacity: 2, policy: 'backpressure' } });
      ref.tell(0);
      await flush(); // 0 is being processed (blocked); mailbox empty
      expect(ref.tell(1)).to.equal(true);
      expect(ref.tell(2)).to.equal(true);
      expect(ref.tell(99)).to.equal(false);
      expect(system.deadLetters.countOf('mailbox-full')).to.equal(1);
      let sent = false;
      const sending = ref.send(3).then((ok) => (sent = ok));
      await flush();
      expect(sent).to.equal(false);
      expect(ref.mailbox.depth).to.equal(2);
      release();
      await sending;
      expect(sent).to.equal(true);
      await until(() => seen.length === 4);
      expect(seen).to.deep.equal([0, 1, 2, 3]);
      await system.terminate();
    });

    it('drop-newest and drop-oldest count drops and dead-letter them', async () => {
      const { system } = testSystem();
      const newest = system.spawn(() => new Recorder<number>(), { mailbox: { capacity: 3, policy: 'drop-newest' } });
      const oldest = system.spawn(() => new Recorder<number>(), { mailbox: { capacity: 3, policy: 'drop-oldest' } });
      for (let i = 0; i < 5; i++) {
        newest.tell(i);
        oldest.tell(i);
      }
      expect(newest.mailbox.dropped).to.equal(2);
      expect(oldest.mailbox.dropped).to.equal(2);
      expect(system.deadLetters.countOf('dropped-newest')).to.equal(2);
      expect(system.deadLetters.countOf('dropped-oldest')).to.equal(2);
      expect(system.inspectOne(newest)?.dropped).to.equal(2);
      await system.terminate();
    });

    it('exposes high/low water marks on the ref', async () => {
      const { system } = testSystem();
      const ref = system.spawn(() => new Recorder<number>(), { mailbox: { capacity: 100, highWaterMark: 10, lowWaterMark: 2 } });
      const marks: string[] = [];
      ref.mailbox.onWaterMark((mark) => marks.push(mark));
      for (let i = 0; i < 20; i++) ref.tell(i);
      expect(marks).to.deep.equal(['high']);
      await flush();
      expect(marks).to.deep.equal(['high', 'low']);
      await system.terminate();
    });
  });

  describe('fairness', () => {
    it('a hot actor does not starve a sibling, setImmediate, timers or I/O', async () => {
      const { system } = testSystem({ throughput: 16, dispatcherBudget: 1000 });
      let hotCount = 0;
      class Hot extends Actor<number> {
        receive(n: number): void {
          hotCount++;
          this.context.self.tell(n + 1); // never idle
        }
      }
      const seen: string[] = [];
      class Sibling extends Actor<string> {
        receive(msg: string): void {
          seen.push(msg);
        }
      }
      const hot = system.spawn(() => new Hot());
      const sibling = system.spawn(() => new Sibling());
      hot.tell(0);
      sibling.tell('hello');
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(seen).to.deep.equal(['hello']);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      const s = await stat('.'); // real I/O through the threadpool
      expect(s.isDirectory()).to.equal(true);
      expect(hotCount).to.be.greaterThan(1000);
      await system.terminate();
    });
  });

  it('an actor whose async handlers only await microtasks does not starve timers or I/O', async () => {
    const { system } = testSystem({ dispatcherBudget: 500 });
    let hotCount = 0;
    class AsyncHot extends Actor<number> {
      async receive(n: number): Promise<void> {
        await Promise.resolve();
        hotCount++;
        this.context.self.tell(n + 1);
      }
    }
    system.spawn(() => new AsyncHot()).tell(0);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    await stat('.');
    expect(hotCount).to.be.greaterThan(100);
    await system.terminate();
  });

  it('inspect() reports depth, processed, restarts and last failure', async () => {
    const { system } = testSystem();
    class Flaky extends Actor<string> {
      receive(msg: string): void {
        if (msg === 'fail') throw new Error('flaky');
      }
    }
    const ref = system.spawn(() => new Flaky(), { name: 'flaky' });
    ['a', 'fail', 'b'].forEach((m) => ref.tell(m));
    await until(() => system.inspectOne(ref)?.processed === 3);
    await flush();
    const stats = system.inspect().find((s) => s.path === '/user/flaky');
    expect(stats).to.include({ status: 'running', mailboxDepth: 0, processed: 3, restarts: 1, mailboxPolicy: 'backpressure' });
    expect(stats?.lastFailure?.message).to.equal('flaky');
    await system.terminate();
  });

  it('system.watch can be unsubscribed; context.stop only stops self or children', async () => {
    const { system } = testSystem();
    const a = system.spawn(() => new Recorder<number>());
    const b = system.spawn(() => new Recorder<number>());
    let notified = 0;
    const off = system.watch(a, () => notified++);
    off();
    let stopError: unknown;
    class Meddler extends Actor<'go'> {
      receive(): void {
        this.context.stop(b).catch((e: unknown) => (stopError = e));
      }
    }
    system.spawn(() => new Meddler()).tell('go');
    await system.stop(a);
    await flush();
    expect(notified).to.equal(0);
    expect(String(stopError)).to.include('can only stop itself or its children');
    expect(b.isAlive).to.equal(true);
    await system.terminate();
  });

  it('an ask whose message cannot be enqueued rejects at once', async () => {
    const { system } = testSystem();
    class Never extends Actor<Get> {
      override preStart(): Promise<void> {
        return new Promise(() => undefined); // never starts: messages stay queued
      }
      receive(): void {}
    }
    const ref = system.spawn(() => new Never(), { mailbox: { capacity: 1, policy: 'drop-newest' } });
    const first = ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 60_000);
    const error: unknown = await ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 60_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.include('not accepted');
    void first.catch(() => undefined);
  });

  it('terminate() stops everything, resolves whenTerminated with exit code 0 and refuses new spawns', async () => {
    const { system } = testSystem();
    system.spawn(() => new Recorder<number>());
    const result = await system.terminate();
    expect(result).to.deep.equal({ exitCode: 0, reason: 'terminated' });
    expect(await system.whenTerminated).to.equal(result);
    expect(() => system.spawn(() => new Recorder<number>())).to.throw(/terminated/);
  });
});
