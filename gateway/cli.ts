// `rtap gateway [--key=value ...]`: config from flags, RTAP_* env and --config (docs/configuration.md),
// start, and close gracefully on SIGTERM/SIGINT. Resolves once the gateway listens (undefined after
// --help); exits the process on a signal.
import { ConfigError, describeConfig } from '../config/load.ts';
import { gatewayConfigSpec, loadGatewayConfig } from './config.ts';
import { GatewayListenError, startGateway } from './gateway.ts';
import { startTracing, type Tracing } from '../telemetry/index.ts';
import type { Gateway } from './gateway.ts';
import type { GatewayConfig } from './config.ts';

/** Linux keeps a stopped server's connections in TIME_WAIT for 60 s, and this uWS build does not
 * set SO_REUSEADDR: a quick restart must wait for them rather than fail. */
const LISTEN_RETRY_MS = 65_000;

async function startWithListenRetry(config: GatewayConfig, tracing: Tracing): Promise<Gateway> {
  const deadline = Date.now() + LISTEN_RETRY_MS;
  let logged = 0;
  for (;;) {
    try {
      return await startGateway(config, config.tracingEnabled ? tracing.tracer : undefined);
    } catch (err) {
      if (!(err instanceof GatewayListenError) || Date.now() > deadline) throw err;
      if (Date.now() - logged > 10_000) {
        console.warn(`rtap gateway: ${config.host}:${config.port} is busy (connections of a previous gateway in TIME_WAIT?); retrying for up to ${LISTEN_RETRY_MS / 1000} s`);
        logged = Date.now();
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function runGatewayCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Gateway | undefined> {
  if (argv.includes('--help')) {
    console.log(`usage: rtap gateway [--key=value ...]\n\n${describeConfig(gatewayConfigSpec)}`);
    return undefined;
  }
  const config = loadGatewayConfig({ argv, env });
  const tracing = startTracing({ serviceName: 'rtap-gateway', endpoint: config.tracingEndpoint, sampleRatio: config.tracingSampleRatio, enabled: config.tracingEnabled });
  const gateway = await startWithListenRetry(config, tracing);
  console.log(`rtap gateway listening on ${gateway.url} (dashboard ${gateway.url}/, WebSocket ${gateway.url.replace('http', 'ws')}/ws)`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`rtap gateway: ${signal}, closing`);
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    gateway.close().then(
      async () => {
        await tracing.shutdown(); // flushes the last spans
        clearTimeout(force);
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`rtap gateway: error while closing: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return gateway;
}

/** One line for the operator: config errors already name their key. */
export function describeStartupError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `rtap gateway: ${err instanceof ConfigError ? message : message.replace(/^gateway: /, '')}`;
}
