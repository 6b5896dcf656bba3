// Error types callers may want to tell apart (instanceof) rather than parse messages.

export class ActorStoppedError extends Error {
  override readonly name = 'ActorStoppedError';
  constructor(readonly path: string) {
    super(`actor ${path} is stopped`);
  }
}

export class AskTimeoutError extends Error {
  override readonly name = 'AskTimeoutError';
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`ask to ${path} timed out after ${timeoutMs} ms`);
  }
}

export class RestartBudgetExceededError extends Error {
  override readonly name = 'RestartBudgetExceededError';
  constructor(
    readonly childPath: string,
    readonly maxRestarts: number,
    readonly withinMs: number,
    options: { cause: unknown },
  ) {
    super(`actor ${childPath} failed more than ${maxRestarts} times within ${withinMs} ms`, options);
  }
}

export class StashOverflowError extends Error {
  override readonly name = 'StashOverflowError';
  constructor(
    readonly path: string,
    readonly capacity: number,
  ) {
    super(`stash of ${path} is full (capacity ${capacity})`);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
