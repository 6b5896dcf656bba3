import { fmtCount } from '../format.ts';
import { useDash } from '../store.ts';

export function TopPages() {
  const pages = useDash((s) => s.metrics.pageViews.topPages);
  const max = pages[0]?.count ?? 1;
  return (
    <section className="card" data-testid="top-pages">
      <h2>Top pages <span className="sub">last minute</span></h2>
      {pages.length === 0 ? (
        <p className="empty">No page views yet</p>
      ) : (
        <ol className="bars">
          {pages.map((p) => (
            <li key={p.page}>
              <span className="bar" style={{ width: `${(p.count / max) * 100}%` }} />
              <span className="bar-label">{p.page}</span>
              <span className="bar-value">{fmtCount(p.count)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
