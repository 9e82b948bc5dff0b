/**
 * The package as users get it: `npm pack` of a copy of this tree (so that packing, which
 * rebuilds the addon, never touches the build/ the other tests load), then an install of the
 * tarball into an empty project with `--ignore-scripts`, so that nothing compiles: the addon
 * must come from the tarball's prebuilds. The project then runs a Process and a Pool.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP = path.join(ROOT, 'test', 'fixtures', 'package_app');
const SKIP_IN_COPY = new Set(['.git', 'node_modules', 'build', 'prebuilds', 'dist']);
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 64 << 20 });

let tmp: string;
let tarball: string;
let files: string[];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-package-'));
  const src = path.join(tmp, 'src');
  fs.cpSync(ROOT, src, { recursive: true, filter: (from) => !SKIP_IN_COPY.has(path.relative(ROOT, from)) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
  await npm(['pack', '--pack-destination', tmp], src);
  const packed = fs.readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  expect(packed).toHaveLength(1);
  tarball = path.join(tmp, packed[0]!);
  const { stdout } = await run('tar', ['-tzf', tarball]);
  files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the prebuilt addon, the types, the licence and the docs, and no tests', () => {
    expect(files).toEqual(expect.arrayContaining([
      `prebuilds/${process.platform}-${process.arch}/multiproc.node`,
      'dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md', 'API.md', 'package.json',
      'binding.gyp', 'native/core/platform.h',
    ]));
    expect(files.filter((f) => /^(test|bench|soak|examples|build)\//.test(f))).toEqual([]);
  });

  it('installs into an empty project with --ignore-scripts and runs a Process and a Pool', async () => {
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await npm(['install', '--ignore-scripts', '--prefer-offline', tarball], app);
    const installed = path.join(app, 'node_modules', 'multiproc');
    // Nothing was compiled: the addon loads from prebuilds/.
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false);
    for (const f of ['main.mjs', 'require.cjs']) fs.copyFileSync(path.join(APP, f), path.join(app, f));

    const main = await run(process.execPath, ['main.mjs'], { cwd: app, timeout: 120_000 });
    const result = JSON.parse(main.stdout.trim().split('\n').pop()!);
    expect(result.greeting).toMatch(/^hello package from \d+$/);
    expect(result.exitCode).toBe(0);
    expect(result.squares).toEqual([1, 4, 9, 16]);

    const cjs = await run(process.execPath, ['require.cjs'], { cwd: app, timeout: 60_000 });
    expect(JSON.parse(cjs.stdout.trim())).toEqual({ value: 42, cpus: true });
  }, 300_000);
});
