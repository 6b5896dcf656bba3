export * from './client.ts';
export * from './registry-catalog.ts';
