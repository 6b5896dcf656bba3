export type * from './types.ts';
export * from './errors.ts';
export * from './schemas.ts';
export * from './catalog.ts';
export * from './codec.ts';
export * from './wire.ts';
