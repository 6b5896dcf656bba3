import { expect } from 'chai';
import type { TemplatedApp } from 'uWebSockets.js';
import type { PatternResult } from '../actors/results.ts';
import { ClusterTracker } from './cluster-view.ts';
import { defaultGatewayConfig } from './config.ts';
import { GatewayMetrics } from './metrics.ts';
import { ResultHub } from './result-hub.ts';
import type { FanoutSpan } from './result-hub.ts';

const alert = (n: number): PatternResult => ({
  kind: 'pattern', id: `burst|p0|${n}`, pattern: 'burst', partition: 0, key: 'u', status: 'matched', eventIds: [], offsets: [n], startTime: 0, endTime: n,
});

/** What ResultHub's flush uses of a uWS app (publish, numSubscribers), recording into `log`. */
function recordingApp(subscribers: Record<string, number>, log: string[]): TemplatedApp {
  const app = {
    publish: (topic: string) => log.push(`publish ${topic}`) > 0,
    numSubscribers: (topic: string) => subscribers[topic] ?? 0,
  };
  return app as unknown as TemplatedApp; // the two methods a flush calls; no sockets in this test
}

function recordingSpan(name: string, log: string[]): FanoutSpan & { attributes: Record<string, number> } {
  const attributes: Record<string, number> = {};
  return {
    attributes,
    setAttribute: (key, value) => (attributes[key] = value),
    end: () => log.push(`end ${name}`),
  };
}

describe('ResultHub fan-out spans', () => {
  const metrics = GatewayMetrics.create();
  after(() => metrics.stop());

  it('ends a result\'s span after the flush has published its frames, with the frames that carried it', () => {
    const log: string[] = [];
    const hub = new ResultHub(recordingApp({ alerts: 2, results: 1 }, log), defaultGatewayConfig, metrics, new ClusterTracker(1000));
    const traced = recordingSpan('a1', log);
    hub.onResult(alert(1), 'ab'.repeat(16), traced);
    hub.onResult(alert(2), undefined);
    expect(log, 'the span stays open while the result waits for its flush').to.deep.equal([]);
    hub.flush();
    expect(log).to.deep.equal(['publish alerts', 'publish results', 'end a1']);
    expect(traced.attributes['rtap.frames']).to.equal(3);
    hub.flush();
    expect(log, 'ended once').to.have.length(3);
    hub.stop();
  });

  it('ends a span at once when the hub has stopped (its result will not be sent)', () => {
    const log: string[] = [];
    const hub = new ResultHub(recordingApp({}, log), defaultGatewayConfig, metrics, new ClusterTracker(1000));
    hub.stop();
    hub.onResult(alert(1), undefined, recordingSpan('late', log));
    expect(log).to.deep.equal(['end late']);
  });
});

describe('ResultHub frames', () => {
  const metrics = GatewayMetrics.create();
  after(() => metrics.stop());

  it('forwards a result\'s JSON text as it arrived, and serializes one it adds a trace id to', () => {
    const frames = new Map<string, string>();
    const app = { publish: (topic: string, frame: string) => frames.set(topic, frame).size > 0, numSubscribers: () => 1 };
    const hub = new ResultHub(app as unknown as TemplatedApp, defaultGatewayConfig, metrics, new ClusterTracker(1000)); // the two methods a flush calls
    hub.onResult(alert(1), undefined, undefined, '{"as":"it arrived"}');
    hub.onResult(alert(2), 'ab'.repeat(16), undefined, '{"not":"this"}');
    hub.flush();
    const frame = JSON.parse(frames.get('alerts')!) as { items: unknown[] };
    expect(frame.items).to.deep.equal([{ as: 'it arrived' }, { ...alert(2), traceId: 'ab'.repeat(16) }]);
    hub.stop();
  });
});
