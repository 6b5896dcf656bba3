export * from './analytics-engine.ts';
export * from './operators.ts';
