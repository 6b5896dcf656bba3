// Token auth: the token comes as `?token=` (browsers cannot set headers on a WebSocket) or as
// `Authorization: Bearer <token>`. Compared in constant time over SHA-256 digests, so neither the
// content nor the length of the expected token leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

export function tokenFrom(query: string, authorization: string): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (bearer) return bearer[1]!.trim();
  const fromQuery = new URLSearchParams(query).get('token');
  return fromQuery ?? undefined;
}

export function tokenMatches(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined) return true; // auth not configured
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
