// The private platform interface. Everything that differs between operating systems lives behind
// these functions; the primitives above them only see words in shared memory, a futex-like wait
// and a clock. Linux is implemented in platform_linux.cpp; macOS and Windows add their own file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "status.h"

namespace mp::platform {

// A mapped segment of shared memory. `fd` stays open for as long as the mapping lives so that
// other processes can re-open an anonymous segment through this process.
struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  int fd = -1;
};

// Anonymous shared memory: freed by the kernel when the last mapping and descriptor are gone.
Status CreateAnonymous(size_t size, Mapping* out);
// Re-open an anonymous segment held open by process `pid` as descriptor `fd`.
Status ReopenAnonymous(int pid, int fd, Mapping* out);

// Named shared memory in the system namespace shared with Python's shared_memory (`/name`).
Status CreateNamed(const char* name, size_t size, bool exclusive, Mapping* out);
Status OpenNamed(const char* name, Mapping* out);
// Publish a fully initialised anonymous segment under `name`; EEXIST if the name is taken.
Status PublishNamed(const Mapping& m, const char* name);
// Create an unpublished segment that PublishNamed can give a name once it is initialised.
Status CreateUnpublished(size_t size, Mapping* out);
Status UnlinkNamed(const char* name);
// Whether `name` names the segment mapped by `m` (false once unlinked, or named anew).
bool NamedIs(const Mapping& m, const char* name);
// Longest name (without the leading slash) the platform accepts.
size_t MaxNameLength();

void Unmap(Mapping* m);

// Maps the first `size` bytes of segment file `fd` again at `addr`, replacing the pages there.
// The range must belong to the caller's owner (a WebAssembly memory's reservation): whoever
// frees the range unmaps this mapping with it, so nothing here tracks or unmaps it.
Status MapOver(int fd, void* addr, size_t size);
size_t PageSize();

// Futex-style waits on a 32-bit word of shared memory. Wait returns 0 when woken (or the value
// already differed), ETIMEDOUT when `timeout_ns` (relative, <0 = forever) passed, EINTR.
int FutexWait(const volatile uint32_t* word, uint32_t expected, int64_t timeout_ns);
void FutexWake(const volatile uint32_t* word, int count);
// Wait on several words at once (at most kMaxMultiWait). `deadline_ns` is absolute on the
// monotonic clock, <0 = forever. Returns the index woken, or -errno (-ETIMEDOUT, -EAGAIN, ...).
struct WaitTarget {
  const volatile uint32_t* word;
  uint32_t expected;
};
constexpr int kMaxMultiWait = 128;
int FutexWaitMany(const WaitTarget* targets, int count, int64_t deadline_ns);
bool HasWaitMany();

int64_t MonotonicNs();
void CpuRelax();
// Lets another runnable thread on this CPU go first; returns at once if there is none.
void Yield();

int CurrentPid();
// The calling thread's kernel id: unique among the threads of this process.
int CurrentThreadId();
// False only when `pid` certainly no longer runs (gone, or a zombie waiting to be reaped).
// Only for a process's own children: a pid means nothing in another PID namespace.
bool ProcessAlive(int pid);

// Leases (see lease.h): id `id` of segment `m`, claimed through a handle that the kernel closes
// when the process ends, however it ends, so the claim ends with it. TakeLease claims it through
// m's own handle; EAGAIN if someone else holds it.
Status TakeLease(const Mapping& m, uint32_t id);
// Claims `id` through a new handle of its own (*spare), released by DropSpareLease.
Status TakeSpareLease(const Mapping& m, uint32_t id, int* spare);
void DropSpareLease(int spare);
// True unless certainly no handle but m's own holds lease `id` (an error answers true: a live
// holder must never be taken for dead).
bool LeaseHeld(const Mapping& m, uint32_t id);

Status SetAffinity(int pid, const std::vector<int>& cpus);
Status GetAffinity(int pid, std::vector<int>* cpus);
int MaxCpus();
Status SetPriority(int pid, int nice);
Status GetPriority(int pid, int* nice);

// Fill `out` with `n` random bytes (segment ids).
Status RandomBytes(void* out, size_t n);

}  // namespace mp::platform
