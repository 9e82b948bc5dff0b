import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { shmExists, shmName, useShmCleanup } from './helpers/children.js';

useShmCleanup();

const run = promisify(execFile);

async function python(code: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('python3', ['-c', code, ...args], { timeout: 20_000 });
  return stdout.trim();
}

let havePython = false;
beforeAll(async () => {
  try {
    await python('import multiprocessing.shared_memory');
    havePython = true;
  } catch {
    havePython = false;
  }
});

// Python attaches, prints the first 8 bytes, writes 8 others at offset 8, and makes sure its
// resource tracker does not unlink the segment when it exits.
const PY_ATTACH_RW = `
import sys
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name=sys.argv[1])
print(list(shm.buf[0:8]), shm.size)
shm.buf[8:16] = bytes([200, 201, 202, 203, 204, 205, 206, 207])
resource_tracker.unregister(shm._name, 'shared_memory')
shm.close()
`;

const PY_CREATE = `
import sys
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=64)
shm.buf[0:6] = b'python'
shm.buf[63] = 99
resource_tracker.unregister(shm._name, 'shared_memory')
shm.close()
print('created')
`;

const PY_READ_UNLINK = `
import sys
from multiprocessing import shared_memory
shm = shared_memory.SharedMemory(name=sys.argv[1])
print(bytes(shm.buf[16:20]).decode())
shm.close()
shm.unlink()
`;

describe('SharedMemory interoperates with Python multiprocessing.shared_memory', () => {
  it('Node creates, Python reads and writes, Node sees the bytes', async (ctx) => {
    if (!havePython) ctx.skip();
    const name = `psm_${shmName('node')}`;
    const shm = new mp.SharedMemory({ name, create: true, size: 64 });
    try {
      expect(shm.name).toBe(name);
      expect(shm.buf.length).toBe(64);
      expect(shmExists(name)).toBe(true);
      for (let i = 0; i < 8; i++) shm.buf[i] = i + 1;

      const out = await python(PY_ATTACH_RW, name);
      expect(out).toBe('[1, 2, 3, 4, 5, 6, 7, 8] 64');
      expect([...shm.buf.subarray(8, 16)]).toEqual([200, 201, 202, 203, 204, 205, 206, 207]);
      // Python did not unlink it.
      expect(shmExists(name)).toBe(true);

      // A second Node mapping (attach by name) sees the same bytes.
      const other = new mp.SharedMemory({ name });
      expect(other.size).toBe(64);
      expect([...other.buf.subarray(0, 16)]).toEqual([...shm.buf.subarray(0, 16)]);
      other.close();
    } finally {
      shm.close();
      shm.unlink();
    }
    expect(shmExists(name)).toBe(false);
  }, 30_000);

  it('Python creates, Node attaches and reads/writes, Python reads and unlinks', async (ctx) => {
    if (!havePython) ctx.skip();
    const name = `psm_${shmName('py')}`;
    expect(await python(PY_CREATE, name)).toBe('created');
    expect(shmExists(name)).toBe(true);

    const shm = new mp.SharedMemory({ name });
    expect(shm.size).toBe(64);
    expect(shm.buf.subarray(0, 6).toString('latin1')).toBe('python');
    expect(shm.buf[63]).toBe(99);
    shm.buf.write('node', 16, 'latin1');
    shm.close();

    expect(await python(PY_READ_UNLINK, name)).toBe('node');
    expect(shmExists(name)).toBe(false);
    // Attaching to a name that no longer exists fails.
    expect(() => new mp.SharedMemory({ name })).toThrow();
  }, 30_000);

  it('SharedMemory travels to Python by name through the default psm_ names', async (ctx) => {
    if (!havePython) ctx.skip();
    const shm = new mp.SharedMemory({ create: true, size: 64 });
    try {
      expect(shm.name.startsWith('psm_')).toBe(true);
      shm.buf.set([9, 8, 7, 6, 5, 4, 3, 2], 0);
      const out = await python(PY_ATTACH_RW, shm.name);
      expect(out).toBe('[9, 8, 7, 6, 5, 4, 3, 2] 64');
      expect(shm.buf[8]).toBe(200);
    } finally {
      shm.close();
      shm.unlink();
    }
  }, 30_000);
});
