// SamplerThread's thread: one ProcessSampler, its methods called by message.
import { parentPort } from 'node:worker_threads';
import { ProcessSampler } from './process-sampler.ts';
import type { SamplerCall } from './sampler-thread.ts';
import { answerCalls } from '../worker-calls.ts';

const sampler = new ProcessSampler();
answerCalls<SamplerCall>(parentPort!, ({ method, args }) => (sampler[method] as (...a: unknown[]) => unknown).apply(sampler, args));
