// The analytics event model: the original system's four event types plus their common fields.
// Pure data: the Avro schemas in this folder mirror these shapes field for field.

export interface EventBase {
  /** Unique id assigned by the producer. */
  eventId: string;
  /** The Kafka message key: every event of a user lands in one partition. */
  userId: string;
  sessionId: string;
  /** Event time, epoch milliseconds. */
  eventTime: number;
  /** Producer that emitted the event (e.g. "web", "ios", "loadtest"). */
  source: string;
}

export interface PageView extends EventBase {
  type: 'PageView';
  page: string;
  referrer: string | null;
}

export interface SessionEvent extends EventBase {
  type: 'Session';
  action: 'start' | 'end';
}

export interface Conversion extends EventBase {
  type: 'Conversion';
  orderId: string;
  value: number;
  currency: string;
}

export interface CustomEvent extends EventBase {
  type: 'Custom';
  name: string;
  attributes: Record<string, string>;
}

export type RtapEvent = PageView | SessionEvent | Conversion | CustomEvent;
export type RtapEventType = RtapEvent['type'];
