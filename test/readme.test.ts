/**
 * The README's TypeScript snippets, as a reader copies them: each one is written to a file of
 * its own, type-checked under `tsc --strict`, and run as a program (`node --import tsx`), which
 * must exit 0 and print what the snippet's comments say.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// Inside the package, so that `import * as mp from 'multiproc'` resolves to it.
const DIR = path.join(ROOT, '.readme');

const snippets = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  .matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const file = (i: number) => path.join(DIR, `snippet_${i + 1}.ts`);

beforeAll(() => {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR);
  fs.writeFileSync(path.join(DIR, 'tsconfig.json'), JSON.stringify({
    extends: '../tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '.', declaration: false, sourceMap: false, noUnusedLocals: false },
    include: ['*.ts'],
  }));
  snippets.forEach((code, i) => fs.writeFileSync(file(i), code));
});

afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

// What each snippet's comments promise it prints, by its first line of code.
const prints: Record<string, RegExp[]> = {
  'const counter = mp.Value': [],
  'export function worker(i: number': [/^6 \[ 0, 0, 0 \]$/m],
  'export function worker(jobs': [/^\[ 99, 9801 \]$/m, /^\{ hello: 'world' \}$/m],
  'export function square': [/^\[ 1, 4, 9, 16, 25 \]$/m, /^49$/m],
  'export async function record': [/^\[ 1, 4, 9 \]$/m, /^4$/m],
};

describe('README snippets', () => {
  it('there are snippets, and each starts with its import', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    for (const code of snippets) expect(code).toMatch(/^(\/\/.*\n)*import \* as mp from 'multiproc';$/m);
  });

  it('type-check under tsc --strict', async () => {
    const out = await run(process.execPath, [TSC, '-p', DIR, '--pretty', 'false'], { cwd: ROOT })
      .then(({ stdout }) => stdout, (e: { stdout: string }) => e.stdout);
    expect(out).toBe('');
  }, 120_000);

  it.each(snippets.map((code, i) => [i + 1, code] as const))('snippet %i runs as-is and prints what it says', async (n, code) => {
    const key = Object.keys(prints).find((k) => code.includes(k));
    expect(key, `snippet ${n} has no expectation in this test`).toBeDefined();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file(n - 1)], { cwd: ROOT, timeout: 60_000 });
    for (const re of prints[key!]!) expect(stdout).toMatch(re);
  }, 90_000);
});
