/** Wall-clock milliseconds. Injected everywhere processing time matters, so tests control it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** "No watermark yet": below every real timestamp, and unlike -Infinity it survives JSON. */
export const NO_WATERMARK = -Number.MAX_SAFE_INTEGER;
