// `node --import tsx gateway/main.ts [--port 3000 ...]` — see cli.ts and docs/gateway.md.
import { describeStartupError, runGatewayCli } from './cli.ts';

runGatewayCli(process.argv.slice(2)).catch((err: unknown) => {
  console.error(describeStartupError(err));
  process.exit(1);
});
