export * from './partitioner.ts';
export * from './random.ts';
export * from './generator.ts';
export * from './oracle.ts';
export * from './feed.ts';
