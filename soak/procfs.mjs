// What the soak reads from /proc and /dev/shm, without the library: resident memory, the
// children of a process, whether a pid still runs, and what a run left behind (processes whose
// environment carries the run's tag, /dev/shm names containing it).
import { readdirSync, readFileSync } from 'node:fs';

const numeric = (name) => /^\d+$/.test(name);

// Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, ...
function statFields(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Resident set size of `pid` in KiB (VmRSS), or null if it is gone. */
export function rssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Running: present and neither a zombie nor dead. */
export function isRunning(pid) {
  const f = statFields(pid);
  return f !== null && f[0] !== 'Z' && f[0] !== 'X';
}

/** The parent pid of `pid`, or null if it is gone. */
export function parentOf(pid) {
  const f = statFields(pid);
  return f === null ? null : Number(f[1]);
}

/** Pids whose parent is `ppid` and that still run. */
export function childrenOf(ppid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!numeric(name)) continue;
    const f = statFields(name);
    if (f && Number(f[1]) === ppid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(name));
  }
  return out;
}

/** Running processes whose environment holds SOAK_TAG=<tag>: what a run must not leave. */
export function taggedProcesses(tag) {
  const needle = `SOAK_TAG=${tag}\0`;
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!numeric(name)) continue;
    let env;
    try {
      env = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!env.includes(needle) || !isRunning(name)) continue;
    let cmd = '';
    try { cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').trim(); } catch { /* gone */ }
    out.push({ pid: Number(name), cmd });
  }
  return out;
}

/** /dev/shm entries whose name contains `tag`. */
export function shmEntries(tag) {
  try {
    return readdirSync('/dev/shm').filter((e) => e.includes(tag));
  } catch {
    return [];
  }
}
