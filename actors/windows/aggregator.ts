// How a window turns events into numbers. Window operators are generic over this, so the same
// tumbling/sliding/session machinery serves every analytic. `merge` is what makes sliding windows
// pane-based (a window = merge of its panes) and sessions mergeable.

export interface Aggregator<E, A> {
  create(): A;
  add(acc: A, event: E): void;
  /** Folds `from` into `into` (`from` is left untouched). */
  merge(into: A, from: A): void;
  values(acc: A): Record<string, number>;
  /** JSON-safe form for snapshots; `decode(encode(a))` must behave exactly like `a`. */
  encode(acc: A): unknown;
  decode(json: unknown): A;
}
