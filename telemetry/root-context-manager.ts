// A context manager with no active context: `context.active()` is always the root and `with` just
// calls its function. For processes whose spans all take an explicit parent (load generators: each
// produce span's context goes into its record's headers), where OpenTelemetry's default
// AsyncLocalStorage manager would only add promise hooks to every promise of the process.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Context, ContextManager } from '@opentelemetry/api';

export class RootContextManager implements ContextManager {
  active(): Context {
    return ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(_context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return fn.call(thisArg, ...args);
  }

  bind<T>(_context: Context, target: T): T {
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}
