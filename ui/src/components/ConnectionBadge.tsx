import { useEffect, useState } from 'react';
import { useDash } from '../store.ts';

export function ConnectionBadge() {
  const connection = useDash((s) => s.connection);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (connection.retryAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [connection.retryAt]);
  const text =
    connection.status === 'connected'
      ? 'connected'
      : connection.retryAt !== null
        ? `reconnecting in ${Math.max(0, Math.ceil((connection.retryAt - now) / 1000))}s`
        : connection.status;
  return (
    <div className={`badge badge-${connection.status}`} data-testid="connection" data-status={connection.status}>
      <span className="dot" />
      {text}
    </div>
  );
}
