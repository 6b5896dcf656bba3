// Results go to every sink (NATS for the live view, InfluxDB for history); a checkpoint waits for all.
import type { AnalyticsResult } from '../actors/results.ts';
import type { ResultOutput } from '../actors/partition/ports.ts';
import type { ResultSink } from '../transports/result-sink.ts';

export function fanOut(sinks: ResultSink[]): ResultOutput {
  return {
    offer(result: AnalyticsResult, traceparent?: string): boolean {
      let room = true;
      for (const s of sinks) if (!s.offer(result, traceparent)) room = false;
      return room;
    },
    async flush(): Promise<void> {
      await Promise.all(sinks.map((s) => s.flush()));
    },
  };
}
