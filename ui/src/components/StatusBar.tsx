import { fmtCount } from '../format.ts';
import { useDash } from '../store.ts';

export function StatusBar() {
  const stats = useDash((s) => s.stats);
  return (
    <footer className="statusbar">
      <span>{fmtCount(stats.resultsIn)} results · {fmtCount(stats.framesIn)} frames received</span>
      {(stats.conflated > 0 || stats.dropped > 0) && (
        <span className="warn">
          this dashboard lagged: {fmtCount(stats.conflated)} updates conflated, {fmtCount(stats.dropped)} dropped
        </span>
      )}
    </footer>
  );
}
