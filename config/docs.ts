// docs/configuration.md's key tables, rendered from the specs: one table per command with each
// key's flag, env name, default and meaning. `node --import tsx config/write-docs.ts` rewrites them;
// config/docs.test.ts fails while the file differs from this rendering.
import { gatewayConfigSpec } from '../gateway/config.ts';
import { nodeConfigSpec } from '../node/config.ts';
import { envName, showValue, type ConfigSpec } from './spec.ts';

export const GENERATED_START = '<!-- generated: config keys -->';
export const GENERATED_END = '<!-- end generated -->';

const commands: ReadonlyArray<{ command: string; spec: ConfigSpec }> = [
  { command: 'rtap node', spec: nodeConfigSpec },
  { command: 'rtap gateway', spec: gatewayConfigSpec },
];

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function renderTable(spec: ConfigSpec): string {
  const rows = Object.entries(spec).map(([key, s]) => {
    // A computed default (a host name, a path in this checkout) differs per machine: its meaning says what it is.
    const def = typeof s.default === 'function' ? 'computed' : s.default === '' ? 'none' : `\`${cell(showValue(s.default))}\``;
    return `| \`${key}\` | \`${envName(key)}\` | ${def} | ${cell(s.describe)} |`;
  });
  return ['| Key | Env | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function renderConfigDocs(): string {
  return commands.map(({ command, spec }) => `### \`${command}\`\n\n${renderTable(spec)}\n`).join('\n');
}

/** `doc` with the text between the markers replaced by the current rendering. */
export function withGeneratedSection(doc: string): string {
  const start = doc.indexOf(GENERATED_START);
  const end = doc.indexOf(GENERATED_END);
  if (start < 0 || end < start) throw new Error(`docs/configuration.md: markers ${GENERATED_START} … ${GENERATED_END} not found`);
  return `${doc.slice(0, start + GENERATED_START.length)}\n\n${renderConfigDocs()}\n${doc.slice(end)}`;
}
