import { expect } from 'chai';
import { Actor } from './actor.ts';
import type { ActorRef, Props } from './actor.ts';
import { RestartBudgetExceededError } from './errors.ts';
import { Supervision } from './supervision.ts';
import { flush, testSystem, until } from './test-helpers.ts';

type Cmd = 'ok' | 'fail' | 'reject' | 'count';

/** Records lifecycle events into a shared log; state `n` counts 'ok' messages per incarnation. */
function lifecycle(log: string[], label: string): new () => Actor<Cmd> {
  return class extends Actor<Cmd> {
    n = 0;
    override preStart(): void {
      log.push(`${label}:preStart`);
    }
    override postStop(): void {
      log.push(`${label}:postStop`);
    }
    override preRestart(error: unknown): void {
      log.push(`${label}:preRestart(${(error as Error).message})`);
    }
    override postRestart(error: unknown): void {
      log.push(`${label}:postRestart(${(error as Error).message})`);
    }
    async receive(msg: Cmd): Promise<void> {
      if (msg === 'fail') throw new Error('sync-ish');
      if (msg === 'reject') {
        await Promise.resolve();
        throw new Error('async');
      }
      if (msg === 'ok') this.n++;
      log.push(`${label}:${msg}:${this.n}`);
    }
  };
}

describe('Supervision', () => {
  it('restart: runs lifecycle hooks in order with fresh state; async rejection counts as failure', async () => {
    const { system } = testSystem();
    const log: string[] = [];
    const Cls = lifecycle(log, 'a');
    const ref = system.spawn(() => new Cls(), { supervision: Supervision.restart() });
    ['ok', 'ok', 'count', 'reject', 'count'].forEach((m) => ref.tell(m as Cmd));
    await until(() => log.includes('a:count:0'));
    expect(log).to.deep.equal([
      'a:preStart',
      'a:ok:1',
      'a:ok:2',
      'a:count:2',
      'a:preRestart(async)',
      'a:preStart',
      'a:postRestart(async)',
      'a:count:0',
    ]);
    expect(system.inspectOne(ref)?.restarts).to.equal(1);
    await system.terminate();
  });

  it('resume: keeps state and continues with the next message', async () => {
    const { system } = testSystem();
    const log: string[] = [];
    const Cls = lifecycle(log, 'r');
    const ref = system.spawn(() => new Cls(), { supervision: Supervision.resume() });
    ['ok', 'fail', 'ok', 'count'].forEach((m) => ref.tell(m as Cmd));
    await until(() => log.includes('r:count:2'));
    expect(log).to.not.include('r:preRestart(sync-ish)');
    await system.terminate();
  });

  it('stop: stops the child; watchers see reason failed', async () => {
    const { system } = testSystem();
    const Cls = lifecycle([], 's');
    const ref = system.spawn(() => new Cls(), { supervision: Supervision.stop() });
    ref.tell('fail');
    const t = await system.whenStopped(ref);
    expect(t.reason).to.equal('failed');
    expect((t.error as Error).message).to.equal('sync-ish');
    await system.terminate();
  });

  it('a failing preStart is a failure too', async () => {
    const { system } = testSystem();
    let attempts = 0;
    class BadStart extends Actor<never> {
      override async preStart(): Promise<void> {
        attempts++;
        await Promise.resolve();
        if (attempts < 3) throw new Error('not yet');
      }
      receive(): void {}
    }
    const ref = system.spawn(() => new BadStart(), { supervision: Supervision.restart({ maxRestarts: 5 }) });
    await until(() => system.inspectOne(ref)?.status === 'running');
    expect(attempts).to.equal(3);
    expect(system.inspectOne(ref)?.restarts).to.equal(2);
    await system.terminate();
  });

  it('restartWithBackoff: waits exponentially growing, jittered delays on the clock', async () => {
    const { system, clock } = testSystem({ random: () => 0.5 });
    let starts = 0;
    class Crashy extends Actor<Cmd> {
      override preStart(): void {
        starts++;
      }
      receive(): void {
        throw new Error('crash');
      }
    }
    const ref = system.spawn(() => new Crashy(), {
      supervision: Supervision.restart({ maxRestarts: 10, withinMs: 60_000, backoff: { minMs: 100, maxMs: 1_000, randomFactor: 0.2 } }),
    });
    // expected delays: base 100, 200, 400, 800, 1000 each * 1.1 (random 0.5 * factor 0.2)
    const expected = [110, 220, 440, 880, 1100];
    for (const delay of expected) {
      const before = starts;
      ref.tell('fail');
      await flush();
      clock.advance(delay - 1);
      await flush();
      expect(starts, `not restarted before ${delay} ms`).to.equal(before);
      clock.advance(1);
      await until(() => starts === before + 1);
    }
    await system.terminate();
  });

  it('exhausted restart budget escalates; at the top the guardian stops the system with exit code 1', async () => {
    const { system, log } = testSystem();
    const events: string[] = [];
    const Cls = lifecycle(events, 'c');
    const ref = system.spawn(() => new Cls(), { name: 'crashy', supervision: Supervision.restart({ maxRestarts: 2, withinMs: 1_000 }) });
    const other = system.spawn(() => new (lifecycle(events, 'other'))(), { name: 'other' });
    for (let i = 0; i < 3; i++) {
      ref.tell('fail');
      await flush();
    }
    const result = await system.whenTerminated;
    expect(result.exitCode).to.equal(1);
    expect(result.reason).to.equal('failure');
    expect(result.error).to.be.instanceOf(RestartBudgetExceededError);
    expect((result.error as Error).message).to.include('/user/crashy');
    expect(other.isAlive).to.equal(false);
    expect(events.filter((e) => e === 'other:postStop')).to.have.length(1);
    expect(log.lines.some((l) => l.level === 'error' && l.msg.includes('guardian'))).to.equal(true);
    expect(system.inspect().map((s) => s.status)).to.deep.equal(['stopped']);
  });

  it('restarts outside the window do not count against the budget', async () => {
    const { system, clock } = testSystem();
    const Cls = lifecycle([], 'w');
    const ref = system.spawn(() => new Cls(), { supervision: Supervision.restart({ maxRestarts: 1, withinMs: 1_000 }) });
    for (let i = 0; i < 4; i++) {
      ref.tell('fail');
      await until(() => system.inspectOne(ref)?.restarts === i + 1);
      clock.advance(1_001);
    }
    expect(system.isTerminated).to.equal(false);
    await system.terminate();
  });

  it('escalation through two levels reaches the grandparent strategy', async () => {
    const { system } = testSystem();
    const events: string[] = [];
    let leafRef: ActorRef<Cmd> | undefined;
    class Middle extends Actor<never> {
      override preStart(): void {
        events.push('middle:preStart');
        const Leaf = lifecycle(events, 'leaf');
        leafRef = this.context.spawn(() => new Leaf(), { name: 'leaf', supervision: Supervision.escalate() });
      }
      receive(): void {}
    }
    class Top extends Actor<never> {
      override preStart(): void {
        events.push('top:preStart');
        this.context.spawn(() => new Middle(), { name: 'middle', supervision: Supervision.escalate() });
      }
      override preRestart(error: unknown): void {
        events.push(`top:preRestart(${(error as Error).message})`);
      }
      receive(): void {}
    }
    const topProps: Props = { name: 'top', supervision: Supervision.restart() };
    const top = system.spawn(() => new Top(), topProps);
    await flush();
    const firstLeaf = leafRef;
    firstLeaf?.tell('fail');
    await until(() => system.inspectOne(top)?.restarts === 1 && system.inspect().length === 4);
    expect(events).to.deep.equal([
      'top:preStart',
      'middle:preStart',
      'leaf:preStart',
      'top:preRestart(sync-ish)',
      'leaf:postStop',
      'top:preStart',
      'middle:preStart',
      'leaf:preStart',
    ]);
    expect(firstLeaf?.isAlive).to.equal(false);
    expect(leafRef).to.not.equal(firstLeaf);
    expect(system.lookup('/user/top/middle/leaf')).to.equal(leafRef);
    await system.terminate();
  });

  it('escalate to a parent that resumes: the escalating child resumes too', async () => {
    const { system } = testSystem();
    const events: string[] = [];
    class Parent extends Actor<never> {
      override preStart(): void {
        const Leaf = lifecycle(events, 'leaf');
        this.context.spawn(() => new Leaf(), { name: 'leaf', supervision: Supervision.escalate() });
      }
      receive(): void {}
    }
    system.spawn(() => new Parent(), { name: 'p', supervision: Supervision.resume() });
    await flush();
    const leaf = system.lookup('/user/p/leaf') as ActorRef<Cmd>;
    ['ok', 'fail', 'ok', 'count'].forEach((m) => leaf.tell(m as Cmd));
    await until(() => events.includes('leaf:count:2'));
    await system.terminate();
  });

  it('all-for-one: a failing child restarts its siblings too', async () => {
    const { system } = testSystem();
    const events: string[] = [];
    const strategy = Supervision.restart({ scope: 'all-for-one' });
    const A = lifecycle(events, 'a');
    const B = lifecycle(events, 'b');
    class Parent extends Actor<never> {
      override preStart(): void {
        this.context.spawn(() => new A(), { name: 'a', supervision: strategy });
        this.context.spawn(() => new B(), { name: 'b', supervision: strategy });
      }
      receive(): void {}
    }
    system.spawn(() => new Parent(), { name: 'p' });
    await flush();
    const a = system.lookup('/user/p/a') as ActorRef<Cmd>;
    const b = system.lookup('/user/p/b') as ActorRef<Cmd>;
    b.tell('ok');
    a.tell('fail');
    await until(() => events.filter((e) => e.endsWith(':postRestart(sync-ish)')).length === 2);
    b.tell('count');
    await until(() => events.includes('b:count:0'));
    expect(events).to.include('b:preRestart(sync-ish)');
    await system.terminate();
  });

  it('per-error decisions: decide can resume some errors and restart others', async () => {
    const { system } = testSystem();
    const events: string[] = [];
    const Cls = lifecycle(events, 'd');
    const ref = system.spawn(() => new Cls(), {
      supervision: Supervision.restart({ decide: (e) => ((e as Error).message === 'async' ? 'resume' : undefined) }),
    });
    ['ok', 'reject', 'count', 'fail', 'count'].forEach((m) => ref.tell(m as Cmd));
    await until(() => events.includes('d:count:0'));
    expect(events).to.include('d:count:1');
    await system.terminate();
  });
});
