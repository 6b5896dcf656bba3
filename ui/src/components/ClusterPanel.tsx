import { useEffect, useState } from 'react';
import { fmtAgo, fmtCount } from '../format.ts';
import { useDash } from '../store.ts';

export function ClusterPanel() {
  const cluster = useDash((s) => s.cluster);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!cluster) {
    return (
      <section className="card cluster" data-testid="cluster">
        <h2>Cluster</h2>
        <p className="empty">Waiting for the cluster view…</p>
      </section>
    );
  }
  const { totals } = cluster;
  return (
    <section className="card cluster" data-testid="cluster">
      <h2>
        Cluster
        <span className="sub">
          {totals.nodesUp} node{totals.nodesUp === 1 ? '' : 's'} up · {totals.partitions} partitions · lag {fmtCount(totals.lag)} · restarts {totals.restarts}
        </span>
      </h2>
      <div className="cluster-body">
      <div className="nodes">
        {cluster.nodes.length === 0 && <p className="empty">No node heartbeats yet</p>}
        {cluster.nodes.map((n) => (
          <div key={n.nodeId} className={`node node-${n.state} status-${n.status}`} data-testid="node" title={n.reasons.join('\n')}>
            <div className="node-head">
              <span className="dot" />
              <b>{n.nodeId}</b>
              <span className="node-state">{n.state === 'up' ? n.status : n.state}</span>
            </div>
            <div className="node-meta">
              {n.host} · pid {n.pid} · {n.partitions.length} partitions · seen {fmtAgo(n.lastSeen, now)}
            </div>
            <div className="node-meta">
              {fmtCount(n.counters.eventsProcessed)} events · {fmtCount(n.counters.resultsPublished)} results · {n.counters.dlq} dlq
            </div>
          </div>
        ))}
      </div>
      <table className="partitions">
        <thead>
          <tr>
            <th>P</th>
            <th>owner</th>
            <th className="num">lag</th>
            <th>watermark</th>
            <th className="num">mailbox</th>
            <th className="num">restarts</th>
          </tr>
        </thead>
        <tbody>
          {cluster.partitions.map((p) => (
            <tr key={p.partition} className={p.owner === null ? 'orphan' : p.paused ? 'paused' : ''}>
              <td>{p.partition}</td>
              <td>{p.owner ?? 'unowned'}</td>
              <td className={`num ${p.lag > 1000 ? 'warn' : ''}`}>{fmtCount(p.lag)}</td>
              <td>{fmtAgo(p.watermark, now)}</td>
              <td className="num">{p.mailboxDepth}</td>
              <td className={`num ${p.restarts > 0 ? 'warn' : ''}`}>{p.restarts}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </section>
  );
}
