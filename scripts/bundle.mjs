// Bundles lib/ into dist/: the package entry and the child bootstrap share chunks, so a child
// loads a few files instead of every module (Node 20 pays per module on startup, and every child
// process starts by loading the package). Types come from tsc (--emitDeclarationOnly).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a hash: drop those of earlier builds.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: {
    index: 'lib/index.ts',
    child_main: 'lib/process/child_main.ts',
    tracker_main: 'lib/shared/tracker_main.ts',
  },
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
