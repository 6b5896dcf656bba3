// Bounded waits at shutdown: wait for some work, but no longer than a grace period. The timer is
// cleared as soon as the work settles — a `Promise.race` with a bare sleep leaves its timer
// pending, and a pending timer keeps a stopped process alive until it fires (a node took its full
// 10 s flush grace to exit after logging "node stopped").

/** Whether `work` settled (resolved or rejected) within `ms`. Never rejects. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
