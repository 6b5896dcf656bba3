// Loads uWebSockets.js's native binary directly. The npm package silently falls back to a
// `ws`-based imitation when its binary does not load; we would rather fail at start-up, loudly,
// than run a gateway that is ten times slower than the one we measured.
import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

export type UwsModule = typeof Uws;

const require = createRequire(import.meta.url);

export function nativeBinaryName(): string {
  return `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
}

export function loadUws(): UwsModule {
  const path = `uWebSockets.js/binaries/${nativeBinaryName()}`;
  try {
    return require(path) as UwsModule;
  } catch (err) {
    throw new Error(
      `uWebSockets.js: the native binary ${path} did not load (${(err as Error).message}); ` +
        `rtap does not use the slow ws fallback. Node ${process.version} (ABI ${process.versions.modules}) is needed with a matching binary.`,
    );
  }
}
