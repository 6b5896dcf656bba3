// Renders what the nodes report about themselves (heartbeats) as the tables `make status` prints.
import type { NodeHeartbeat } from '../transports/nats/contracts.ts';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const age = (at: number | null, now: number): string => (at === null ? '-' : `${Math.max(0, Math.round((now - at) / 1000))}s`);
const bytes = (n: number | null): string => (n === null ? '-' : n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);
const time = (ms: number | null): string => (ms === null || ms < 0 ? '-' : new Date(ms).toISOString().slice(11, 23));

export function renderCluster(beats: NodeHeartbeat[], now = Date.now()): string {
  if (beats.length === 0) return 'no rtap node is reporting on NATS (start one with `make cluster-up` or `make spawn-node`)';
  const nodes = [...beats].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  const nodeRows = nodes.map((b) => [
    b.nodeId,
    String(b.pid),
    b.leaving ? 'leaving' : b.status,
    b.partitions.map((p) => p.partition).sort((x, y) => x - y).join(',') || '-',
    String(b.partitions.reduce((s, p) => s + p.lag, 0)),
    String(b.counters.eventsProcessed),
    String(b.counters.dlq),
    age(b.sentAt, now),
    b.reasons.join('; '),
  ]);
  const partRows = nodes
    .flatMap((b) => b.partitions.map((p) => ({ b, p })))
    .sort((x, y) => x.p.partition - y.p.partition)
    .map(({ b, p }) => [
      String(p.partition),
      b.nodeId,
      String(p.offset),
      String(p.lag),
      time(p.watermark),
      String(p.mailboxDepth),
      p.paused ? 'yes' : 'no',
      String(p.restarts),
      age(p.lastSnapshotAt, now),
      bytes(p.lastSnapshotBytes),
    ]);
  return [
    table(['NODE', 'PID', 'STATUS', 'PARTITIONS', 'LAG', 'EVENTS', 'DLQ', 'SEEN', 'REASONS'], nodeRows),
    '',
    table(['PARTITION', 'OWNER', 'OFFSET', 'LAG', 'WATERMARK', 'MAILBOX', 'PAUSED', 'RESTARTS', 'SNAPSHOT AGE', 'SNAPSHOT SIZE'], partRows),
  ].join('\n');
}
