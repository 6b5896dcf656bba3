// Avro schemas of the four event types, field for field the shapes in types.ts (minus `type`,
// which the schema id carries). These are the WRITER schemas that go on the wire.
// A v2 of PageView (one field added with a default) exists to prove schema evolution both ways.

import type { RtapEventType } from './types.ts';

export const NAMESPACE = 'rtap.events';

const common = [
  { name: 'eventId', type: 'string' },
  { name: 'userId', type: 'string' },
  { name: 'sessionId', type: 'string' },
  { name: 'eventTime', type: 'long' },
  { name: 'source', type: 'string' },
] as const;

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace: string;
  fields: ReadonlyArray<{ name: string; type: unknown; default?: unknown }>;
}

export const pageViewV1: AvroRecordSchema = {
  type: 'record',
  name: 'PageView',
  namespace: NAMESPACE,
  fields: [...common, { name: 'page', type: 'string' }, { name: 'referrer', type: ['null', 'string'], default: null }],
};

/** v2 adds `durationMs` with a default: v1 readers skip it, v2 readers of v1 data get 0. */
export const pageViewV2: AvroRecordSchema = {
  ...pageViewV1,
  fields: [...pageViewV1.fields, { name: 'durationMs', type: 'long', default: 0 }],
};

export const sessionV1: AvroRecordSchema = {
  type: 'record',
  name: 'Session',
  namespace: NAMESPACE,
  fields: [
    ...common,
    { name: 'action', type: { type: 'enum', name: 'SessionAction', namespace: NAMESPACE, symbols: ['start', 'end'] } },
  ],
};

export const conversionV1: AvroRecordSchema = {
  type: 'record',
  name: 'Conversion',
  namespace: NAMESPACE,
  fields: [
    ...common,
    { name: 'orderId', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'currency', type: 'string' },
  ],
};

export const customV1: AvroRecordSchema = {
  type: 'record',
  name: 'Custom',
  namespace: NAMESPACE,
  fields: [...common, { name: 'name', type: 'string' }, { name: 'attributes', type: { type: 'map', values: 'string' }, default: {} }],
};

/** The schema this build writes for each event type. */
export const currentSchemas: Record<RtapEventType, AvroRecordSchema> = {
  PageView: pageViewV1,
  Session: sessionV1,
  Conversion: conversionV1,
  Custom: customV1,
};

/** Record full name (as in a registry's schema) → event type. */
export function eventTypeOfRecord(fullName: string): RtapEventType | undefined {
  switch (fullName) {
    case `${NAMESPACE}.PageView`:
      return 'PageView';
    case `${NAMESPACE}.Session`:
      return 'Session';
    case `${NAMESPACE}.Conversion`:
      return 'Conversion';
    case `${NAMESPACE}.Custom`:
      return 'Custom';
    default:
      return undefined;
  }
}
