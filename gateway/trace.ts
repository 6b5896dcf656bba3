// W3C traceparent: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. Only the trace id travels
// to the dashboard, which links it to Jaeger.
const TRACEPARENT_RE = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

export function traceIdFromTraceparent(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = TRACEPARENT_RE.exec(header.trim().toLowerCase());
  if (!m || /^0+$/.test(m[1]!)) return undefined; // all-zero trace id is invalid per the spec
  return m[1];
}
