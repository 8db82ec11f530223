/**
 * src/core is the runtime-free engine (like VS Code's `common` layer): the ESLint config must refuse Node
 * built-ins, Electron and the DOM there, and allow them in the layers that own I/O.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

const eslint = new ESLint({ cwd: repoRoot });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message.split('.')[0]}`);
}

describe('the src/core layer rule', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", 'no-restricted-imports'],
    ["import { readFileSync } from 'fs';\nexport const r = readFileSync;", 'no-restricted-imports'],
    ["import { join } from 'path';\nexport const j = join;", 'no-restricted-imports'],
    ["import { app } from 'electron';\nexport const a = app;", 'no-restricted-imports'],
    ['export const w = window.innerWidth;', 'no-restricted-globals'],
    ["export const d = document.createElement('div');", 'no-restricted-globals'],
    ['export const p = process.argv;', 'no-restricted-globals'],
    ["export const b = Buffer.from('x');", 'no-restricted-globals'],
  ])('refuses %s in src/core', async (code, rule) => {
    const found = await ruleIds(code, 'src/core/probe.ts');
    expect(found.some((m) => m.startsWith(rule))).toBe(true);
  });

  it('allows core-internal imports whose path merely contains a built-in name', async () => {
    expect(await ruleIds("import { decodeText } from './util/text.js';\nexport const t = decodeText;", 'src/core/probe.ts')).toEqual([]);
  });

  it('allows Node built-ins in src/node and src/cli', async () => {
    const code = "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\nexport const p = process.argv;";
    expect(await ruleIds(code, 'src/node/probe.ts')).toEqual([]);
    expect(await ruleIds(code, 'src/cli/probe.ts')).toEqual([]);
  });
});
