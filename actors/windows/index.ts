export type * from './aggregator.ts';
export * from './aggregations.ts';
export * from './quantile-sketch.ts';
export * from './paned-window.ts';
export * from './session-window.ts';
export * from './result-id.ts';
