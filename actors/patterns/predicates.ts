// The page-name rules shared by the built-in patterns and their oracle (see docs/cep.md).
import type { RtapEvent } from '../events/types.ts';

/** `/product` or `/product/<anything>`; not `/products` (the listing page). */
export const isProductView = (e: RtapEvent): boolean =>
  e.type === 'PageView' && (e.page === '/product' || e.page.startsWith('/product/'));
export const isCartView = (e: RtapEvent): boolean => e.type === 'PageView' && e.page === '/cart';
export const isConversion = (e: RtapEvent): boolean => e.type === 'Conversion';
export const anyEvent = (): boolean => true;
export const byUser = (e: RtapEvent): string => e.userId;
