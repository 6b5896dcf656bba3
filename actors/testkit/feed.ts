// Glue between the generator and the engine/oracle for tests: splits generated items by
// partition, decodes bad records the way the pipeline will (decode failures go to the DLQ before
// the engine; decodable-but-bad ones reach the engine and are rejected there).

import type { GeneratedItem } from './generator.ts';
import type { OracleInput } from './oracle.ts';
import type { DecodeErrorReason } from '../events/errors.ts';
import { EventCodec } from '../events/codec.ts';
import { isDecodeError } from '../events/errors.ts';

export interface PartitionInputs {
  inputs: OracleInput[];
  /** Records the decoder sends to the DLQ, with their reason. */
  decodeFailures: Array<{ offset: number; reason: DecodeErrorReason }>;
}

export interface SplitOptions {
  codec?: EventCodec;
  /**
   * Inserts a processing-time tick into EVERY partition's input whenever the virtual wall clock
   * passes a multiple of this (ms), like the partition actor's timer — so a quiet partition still
   * gets ticks and its idleness rules run. 0 = no ticks.
   */
  tickEveryMs?: number;
}

export function splitByPartition(items: Iterable<GeneratedItem>, partitions: number, opts: SplitOptions = {}): PartitionInputs[] {
  const codec = opts.codec ?? new EventCodec();
  const tickEvery = opts.tickEveryMs ?? 0;
  let nextTick = NaN;
  const out: PartitionInputs[] = [];
  for (let p = 0; p < partitions; p++) out.push({ inputs: [], decodeFailures: [] });
  for (const item of items) {
    if (tickEvery > 0) {
      if (Number.isNaN(nextTick)) nextTick = (Math.floor(item.wallTime / tickEvery) + 1) * tickEvery;
      while (item.wallTime >= nextTick) {
        for (const partition of out) partition.inputs.push({ kind: 'tick', wallTime: nextTick });
        nextTick += tickEvery;
      }
    }
    const target = out[item.partition] as PartitionInputs;
    if (item.kind === 'event') {
      target.inputs.push({ kind: 'event', event: item.event, offset: item.offset, wallTime: item.wallTime });
      continue;
    }
    try {
      target.inputs.push({ kind: 'event', event: codec.decode(item.bytes), offset: item.offset, wallTime: item.wallTime });
    } catch (err) {
      if (!isDecodeError(err)) throw err;
      target.decodeFailures.push({ offset: item.offset, reason: err.reason });
    }
  }
  return out;
}
