export * from './clock.ts';
export * from './event-time.ts';
