// `npm run loadtest:table`: the docs/performance.md table from the newest report of each scenario
// in loadtest/results/ (one row each, in the order of SCENARIOS), with a link to each report.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PERFORMANCE_HEADER, performanceRow } from './report/report-writer.ts';
import type { RunReport } from './report/types.ts';
import { SCENARIOS } from './scenarios.ts';

const dir = fileURLToPath(new URL('results/', import.meta.url));
const stamped = /^(.+)-(\d{8}-\d{6})\.json$/;
const newest = new Map<string, string>();
for (const f of readdirSync(dir).sort()) {
  const m = stamped.exec(f);
  if (m) newest.set(m[1]!, f);
}
console.log(PERFORMANCE_HEADER);
const links: string[] = [];
for (const name of Object.keys(SCENARIOS)) {
  const file = newest.get(name);
  if (!file) continue;
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RunReport;
  console.log(performanceRow(report));
  links.push(`[${name}](../loadtest/results/${file.replace(/\.json$/, '.md')})`);
}
console.log(`\nReports: ${links.join(' · ')}`);
