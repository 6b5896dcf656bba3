import { jaegerTraceUrl, patternStyle } from '../analytics-map.ts';
import { fmtClock } from '../format.ts';
import { useDash } from '../store.ts';

const VISIBLE = 60;

export function AlertsFeed() {
  const alerts = useDash((s) => s.alerts);
  const counts = useDash((s) => s.alertCounts);
  const jaegerUrl = useDash((s) => s.jaegerUrl);
  return (
    <section className="card alerts" data-testid="alerts">
      <h2>
        Alerts
        <span className="chips">
          {Object.entries(counts).map(([pattern, n]) => (
            <span key={pattern} className={`chip sev-${patternStyle(pattern).severity}`}>
              {patternStyle(pattern).label} <b>{n}</b>
            </span>
          ))}
        </span>
      </h2>
      {alerts.length === 0 ? (
        <p className="empty">No pattern matches yet</p>
      ) : (
        <ul className="feed">
          {alerts.slice(0, VISIBLE).map((a) => {
            const style = patternStyle(a.pattern);
            return (
              <li key={a.id} className={`sev-${style.severity}`} data-testid="alert">
                <span className="time">{fmtClock(a.endTime)}</span>
                <span className="what">
                  {style.label}
                  {a.status === 'timedOut' && <span className="tag">timed out</span>}
                </span>
                <span className="who">
                  {a.key} <span className="part">p{a.partition}</span>
                </span>
                {a.traceId ? (
                  <a className="trace" href={jaegerTraceUrl(jaegerUrl, a.traceId)} target="_blank" rel="noreferrer" data-testid="trace-link">
                    trace ↗
                  </a>
                ) : (
                  <span className="trace none">—</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
