#!/usr/bin/env node
// Entry point of the `sipscope` command. The CLI is compiled to dist/ by `npm install` (the `prepare`
// script runs `tsc -p tsconfig.cli.json`), so no TypeScript loader is needed at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('sipscope: the command-line tool is not built yet; run `npm run build:cli` in the sipscope folder.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
