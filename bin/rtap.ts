// rtap's command line: `rtap node`, `rtap gateway`, `rtap status`. `rtap <command> --help` lists
// every key of a command with its env name and default.
import { describeConfig } from '../config/load.ts';
import { defaultOf } from '../config/spec.ts';
import { nodeConfigSpec, loadNodeConfig } from '../node/config.ts';
import { startNode } from '../node/start-node.ts';
import { collectHeartbeats } from '../node/collect-heartbeats.ts';
import { renderCluster } from '../node/cluster-table.ts';
import { createLogger, startTracing, toRuntimeLogger } from '../telemetry/index.ts';

const USAGE = `usage: rtap <command> [--key=value ...]

commands:
  node      run an actor node: joins the consumer group on the events topic and runs the
            partition actors of the partitions it is assigned
  gateway   run the gateway: dashboard, WebSocket fan-out and REST API on 127.0.0.1:3000
  status    print the cluster as reported by the nodes' heartbeats
  produce   send generated events to Kafka at a steady rate (a demo load; see loadtest/)

Every key can also be set in the environment (RTAP_KEY_NAME) or a JSON file (--config file.json).
Run \`rtap <command> --help\` for the keys.`;

async function runNode(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(`usage: rtap node [--key=value ...]\n\n${describeConfig(nodeConfigSpec)}`);
    return 0;
  }
  const config = loadNodeConfig({ argv });
  const pinoLog = createLogger({ service: 'rtap-node', nodeId: config['node.id'], level: config['log.level'] });
  const log = toRuntimeLogger(pinoLog);
  const tracing = startTracing({
    serviceName: 'rtap-node',
    endpoint: config['tracing.endpoint'],
    sampleRatio: config['tracing.sample-ratio'],
    enabled: config['tracing.enabled'],
    resourceAttributes: { 'rtap.node.id': config['node.id'] },
  });
  const node = await startNode(config, log, config['tracing.enabled'] ? tracing.tracer : undefined);
  const onSignal = (signal: string): void => {
    log.info('signal received', { signal });
    void node.stop();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const code = await node.whenStopped;
  await tracing.shutdown().catch(() => undefined);
  pinoLog.flush();
  return code;
}

async function runStatus(argv: string[]): Promise<number> {
  const flag = (key: string): string | undefined => argv.find((a) => a.startsWith(`--${key}=`))?.slice(key.length + 3);
  const servers = flag('nats.servers') ?? process.env.RTAP_NATS_SERVERS ?? defaultOf(nodeConfigSpec['nats.servers']);
  const topic = flag('kafka.topic') ?? process.env.RTAP_KAFKA_TOPIC ?? defaultOf(nodeConfigSpec['kafka.topic']);
  try {
    console.log(renderCluster(await collectHeartbeats(servers, 2_500, topic)));
    return 0;
  } catch (err) {
    console.log(`cluster: cannot read heartbeats from NATS at ${servers}: ${(err as Error).message}`);
    return 1;
  }
}

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  switch (command) {
    case 'node':
      return runNode(argv);
    case 'gateway': {
      const { runGatewayCli } = await import('../gateway/cli.ts');
      await runGatewayCli(argv);
      return 0;
    }
    case 'status':
      return runStatus(argv);
    case 'produce': {
      const { produceCli, produceConfigSpec } = await import('../loadtest/produce.ts');
      if (argv.includes('--help')) {
        console.log(`usage: rtap produce [--key=value ...]\n\n${describeConfig(produceConfigSpec)}`);
        return 0;
      }
      return produceCli(argv);
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`rtap: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Start-up errors (bad config, missing topic, server unreachable) end here: one clear line.
    console.error(`rtap: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
