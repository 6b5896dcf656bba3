// The newest `max` items, newest first, each id at most once (replay after a reconnect resends ids).
export class RecentList<T extends { id: string }> {
  private items: T[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  /** Returns true when anything new was added. */
  addAll(incoming: readonly T[], orderKey: (t: T) => number): boolean {
    const fresh = incoming.filter((t) => !this.ids.has(t.id));
    if (fresh.length === 0) return false;
    for (const t of fresh) this.ids.add(t.id);
    this.items = [...fresh, ...this.items].sort((a, b) => orderKey(b) - orderKey(a));
    for (const dropped of this.items.splice(this.max)) this.ids.delete(dropped.id);
    return true;
  }

  list(): readonly T[] {
    return this.items;
  }
}
