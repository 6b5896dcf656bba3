// `node --import tsx config/write-docs.ts`: rewrites the generated key tables of docs/configuration.md
// from the specs (config/docs.ts); the hand-written parts of the file are kept.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withGeneratedSection } from './docs.ts';

const path = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = withGeneratedSection(before);
if (after !== before) writeFileSync(path, after);
console.log(`${path}: ${after === before ? 'up to date' : 'rewritten'}`);
