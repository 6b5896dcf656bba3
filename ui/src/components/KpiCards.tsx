// The headline numbers. Each card selects only its own slice of the store.
import type { ReactNode } from 'react';
import { fmtCount, fmtDuration, fmtMoney, fmtPercent, fmtRate } from '../format.ts';
import { useDash } from '../store.ts';
import { Sparkline } from './Sparkline.tsx';

function Card({ title, value, unit, children, testId }: { title: string; value: string; unit?: string; children?: ReactNode; testId: string }) {
  return (
    <section className="card kpi" data-testid={testId}>
      <h2>{title}</h2>
      <div className="kpi-value">
        <span data-testid={`${testId}-value`}>{value}</span>
        {unit && <span className="unit">{unit}</span>}
      </div>
      {children}
    </section>
  );
}

export function PageViewsCard() {
  const pv = useDash((s) => s.metrics.pageViews);
  return (
    <Card title="Page views" value={fmtRate(pv.perSecond)} unit="/ s" testId="page-views">
      <Sparkline values={pv.series} color="#4cc2ff" label="page views per second" />
      <div className="kpi-foot">{fmtCount(pv.total)} in the last 10 min</div>
    </Card>
  );
}

export function ActiveUsersCard() {
  const au = useDash((s) => s.metrics.activeUsers);
  return (
    <Card title="Active users" value={fmtCount(au.current)} unit="last 1 min" testId="active-users">
      <Sparkline values={au.series} color="#a78bfa" label="active users" />
      <div className="kpi-foot">sliding window, every 5 s</div>
    </Card>
  );
}

export function SessionsCard() {
  const s = useDash((st) => st.metrics.sessions);
  return (
    <Card title="Sessions" value={fmtCount(s.count)} testId="sessions">
      <dl className="kpi-pairs">
        <div>
          <dt>avg duration</dt>
          <dd>{fmtDuration(s.avgDurationMs)}</dd>
        </div>
        <div>
          <dt>pages / session</dt>
          <dd>{s.pagesPerSession.toFixed(1)}</dd>
        </div>
      </dl>
    </Card>
  );
}

export function ConversionsCard() {
  const c = useDash((s) => s.metrics.conversions);
  return (
    <Card title="Conversions" value={fmtCount(c.conversions)} unit="last 1 min" testId="conversions">
      <Sparkline values={c.series} color="#34d399" label="conversions per minute" />
      <div className="kpi-foot">
        rate <b>{fmtPercent(c.rate)}</b> · revenue <b>{fmtMoney(c.revenue)}</b>
      </div>
    </Card>
  );
}
