/**
 * The published types under `tsc --strict`: test/types/*.ts (expectTypeOf and @ts-expect-error
 * lines, against the built dist/*.d.ts) and examples/*.ts must compile.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', project, '--noEmit', '--pretty', 'false'], { cwd: ROOT },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }));
  });
}

describe('types', () => {
  it.each(['test/types', 'examples'])('tsc --strict -p %s reports no error', async (project) => {
    const { code, output } = await tsc(project);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});
