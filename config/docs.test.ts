import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { gatewayConfigSpec } from '../gateway/config.ts';
import { nodeConfigSpec } from '../node/config.ts';
import { GENERATED_END, GENERATED_START, renderConfigDocs, withGeneratedSection } from './docs.ts';
import { envName } from './spec.ts';

const docPath = new URL('../docs/configuration.md', import.meta.url);

describe('config docs', () => {
  it('docs/configuration.md holds exactly the current rendering of the specs (regenerate: node --import tsx config/write-docs.ts)', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(doc).to.contain(GENERATED_START).and.contain(GENERATED_END);
    expect(doc).to.contain(renderConfigDocs());
    expect(withGeneratedSection(doc)).to.equal(doc);
  });

  it('has a row for every key of every command', () => {
    const rendered = renderConfigDocs();
    for (const key of [...Object.keys(nodeConfigSpec), ...Object.keys(gatewayConfigSpec)]) {
      expect(rendered).to.contain(`| \`${key}\` | \`${envName(key)}\` |`);
    }
  });

  it('replaces only the text between the markers', () => {
    const doc = `# T\n\nhand-written\n\n${GENERATED_START}\nstale\n${GENERATED_END}\n\n## Servers\n`;
    const out = withGeneratedSection(doc);
    expect(out).to.match(/^# T\n\nhand-written\n\n<!-- generated: config keys -->\n/);
    expect(out).to.contain(renderConfigDocs()).and.not.contain('stale');
    expect(out.endsWith(`${GENERATED_END}\n\n## Servers\n`)).to.equal(true);
    expect(() => withGeneratedSection('# no markers')).to.throw(/markers/);
  });
});
