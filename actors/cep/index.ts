// Public surface of the CEP library.
export { Pattern, AfterMatchSkip } from './pattern.ts';
export type { AfterMatchSkipStrategy, Condition, Contiguity, MatchContext, StageKind, StageSpec } from './pattern.ts';
export { compilePattern } from './compile.ts';
export type { CompiledPattern, CompiledStage } from './compile.ts';
export { cepOperator, DEFAULT_MAX_PARTIALS_PER_KEY } from './operator.ts';
export type { CepEvent, CepOperatorOptions } from './operator.ts';
