// One read-only view of every live actor, for metrics, the cluster view and the dashboard.
import type { ActorCell, ActorStatus } from './actor-cell.ts';
import type { MailboxPolicy } from './mailbox.ts';

export interface ActorStats {
  readonly path: string;
  readonly status: ActorStatus;
  readonly mailboxDepth: number;
  readonly mailboxCapacity: number;
  readonly mailboxPolicy: MailboxPolicy;
  readonly aboveHighWaterMark: boolean;
  /** Messages dropped by drop-newest/drop-oldest. */
  readonly dropped: number;
  readonly processed: number;
  /** Wall time spent in receive (async receives: until they settle). */
  readonly processingMs: number;
  readonly restarts: number;
  readonly lastFailure: { readonly message: string; readonly at: number } | undefined;
  readonly children: number;
  readonly stashed: number;
  readonly timers: number;
}

export function statsOf(cell: ActorCell<never>): ActorStats {
  const mailbox = cell.mailbox;
  const failure = cell.lastFailure;
  return {
    path: cell.path,
    status: cell.statusName,
    mailboxDepth: mailbox.depth,
    mailboxCapacity: mailbox.capacity,
    mailboxPolicy: mailbox.policy,
    aboveHighWaterMark: mailbox.aboveHighWaterMark,
    dropped: mailbox.dropped,
    processed: cell.processed,
    processingMs: cell.processingMs,
    restarts: cell.restarts,
    lastFailure: failure === undefined ? undefined : { message: failure.message, at: failure.at },
    children: cell.childCount,
    stashed: cell.stashSize,
    timers: cell.timerCount,
  };
}

/** Depth-first snapshot of `root` and all descendants. */
export function collectStats(root: ActorCell<never>, out: ActorStats[] = []): ActorStats[] {
  out.push(statsOf(root));
  for (const child of root.childCells()) collectStats(child, out);
  return out;
}
