export { startGateway } from './gateway.ts';
export type { Gateway } from './gateway.ts';
export { defaultGatewayConfig, loadGatewayConfig } from './config.ts';
export type { GatewayConfig } from './config.ts';
export type * from './protocol.ts';
export { runGatewayCli, describeStartupError } from './cli.ts';
