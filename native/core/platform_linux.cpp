// Linux implementation of the platform interface: memfd for anonymous segments, /dev/shm for
// named ones, futex(2) and futex_waitv(2) for waits, open file description locks for leases,
// sched_*affinity and setpriority.
#include "platform.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

namespace mp::platform {
namespace {

constexpr const char* kShmDir = "/dev/shm/";

// Maps an open descriptor whose size is already set; on failure closes it.
Status MapFd(int fd, size_t size, Mapping* out) {
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    Status s = Status::FromErrno("mmap");
    close(fd);
    return s;
  }
  out->addr = addr;
  out->size = size;
  out->fd = fd;
  return Status::Ok();
}

Status SizeAndMap(int fd, size_t size, Mapping* out) {
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    Status s = Status::FromErrno("ftruncate");
    close(fd);
    return s;
  }
  return MapFd(fd, size, out);
}

Status MapWholeFile(int fd, Mapping* out) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Status s = Status::FromErrno("fstat");
    close(fd);
    return s;
  }
  if (st.st_size <= 0) {
    close(fd);
    return Status::Err(EINVAL, "mmap");
  }
  return MapFd(fd, static_cast<size_t>(st.st_size), out);
}

std::string ShmName(const char* name) { return std::string("/") + name; }

timespec ToTimespec(int64_t ns) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return ts;
}

}  // namespace

Status CreateAnonymous(size_t size, Mapping* out) {
  int fd = static_cast<int>(syscall(SYS_memfd_create, "multiproc", MFD_CLOEXEC));
  if (fd < 0) return Status::FromErrno("memfd_create");
  return SizeAndMap(fd, size, out);
}

Status ReopenAnonymous(int pid, int fd, Mapping* out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
  // The pid and descriptor come from a handle, which may be forged: opening a device (a serial
  // port waits for a carrier) or a FIFO can block or act. Segments are regular files.
  struct stat st;
  if (stat(path, &st) != 0) return Status::FromErrno("stat");
  if (!S_ISREG(st.st_mode)) return Status::Err(ESTALE, "open");
  int own = open(path, O_RDWR | O_CLOEXEC);
  if (own < 0) return Status::FromErrno("open");
  return MapWholeFile(own, out);
}

Status CreateNamed(const char* name, size_t size, bool exclusive, Mapping* out) {
  int flags = O_RDWR | O_CREAT | (exclusive ? O_EXCL : 0);
  int fd = shm_open(ShmName(name).c_str(), flags, 0600);
  if (fd < 0) return Status::FromErrno("shm_open");
  return SizeAndMap(fd, size, out);
}

Status OpenNamed(const char* name, Mapping* out) {
  int fd = shm_open(ShmName(name).c_str(), O_RDWR, 0600);
  if (fd < 0) return Status::FromErrno("shm_open");
  return MapWholeFile(fd, out);
}

Status CreateUnpublished(size_t size, Mapping* out) {
  // O_TMPFILE gives a nameless file on the same tmpfs, so the object can be fully initialised
  // before anyone can open it by name.
  int fd = open(kShmDir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("open");
  return SizeAndMap(fd, size, out);
}

Status PublishNamed(const Mapping& m, const char* name) {
  char from[64];
  snprintf(from, sizeof from, "/proc/self/fd/%d", m.fd);
  std::string to = std::string(kShmDir) + name;
  if (linkat(AT_FDCWD, from, AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    return Status::FromErrno("linkat");
  }
  return Status::Ok();
}

Status UnlinkNamed(const char* name) {
  if (shm_unlink(ShmName(name).c_str()) != 0) return Status::FromErrno("shm_unlink");
  return Status::Ok();
}

bool NamedIs(const Mapping& m, const char* name) {
  struct stat by_name, mapped;
  std::string path = std::string(kShmDir) + name;
  if (stat(path.c_str(), &by_name) != 0 || fstat(m.fd, &mapped) != 0) return false;
  return by_name.st_dev == mapped.st_dev && by_name.st_ino == mapped.st_ino;
}

size_t MaxNameLength() { return NAME_MAX - 1; }

void Unmap(Mapping* m) {
  if (m->addr != nullptr) munmap(m->addr, m->size);
  if (m->fd >= 0) close(m->fd);
  m->addr = nullptr;
  m->fd = -1;
  m->size = 0;
}

Status MapOver(int fd, void* addr, size_t size) {
  if (mmap(addr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
    return Status::FromErrno("mmap");
  }
  return Status::Ok();
}

size_t PageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

int FutexWait(const volatile uint32_t* word, uint32_t expected, int64_t timeout_ns) {
  timespec ts;
  timespec* tsp = nullptr;
  if (timeout_ns >= 0) {
    ts = ToTimespec(timeout_ns);
    tsp = &ts;
  }
  long r = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, nullptr, 0);
  if (r == 0) return 0;
  if (errno == EAGAIN) return 0;
  return errno;
}

void FutexWake(const volatile uint32_t* word, int count) {
  syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
}

namespace {
struct FutexWaitv {
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t reserved;
};
// Shared (not private) futexes: the words live in memory mapped by several processes.
constexpr uint32_t kFutex2SizeU32 = 0x02;
}  // namespace

int FutexWaitMany(const WaitTarget* targets, int count, int64_t deadline_ns) {
  FutexWaitv waiters[kMaxMultiWait];
  if (count <= 0 || count > kMaxMultiWait) return -EINVAL;
  for (int i = 0; i < count; i++) {
    waiters[i].val = targets[i].expected;
    waiters[i].uaddr = reinterpret_cast<uintptr_t>(targets[i].word);
    waiters[i].flags = kFutex2SizeU32;
    waiters[i].reserved = 0;
  }
  timespec ts;
  timespec* tsp = nullptr;
  if (deadline_ns >= 0) {
    ts = ToTimespec(deadline_ns);
    tsp = &ts;
  }
  long r = syscall(SYS_futex_waitv, waiters, count, 0, tsp, CLOCK_MONOTONIC);
  if (r >= 0) return static_cast<int>(r);
  return -errno;
}

bool HasWaitMany() {
  static const bool has = [] {
    // A zero-entry call is rejected with EINVAL by kernels that know futex_waitv, ENOSYS otherwise.
    long r = syscall(SYS_futex_waitv, nullptr, 0, 0, nullptr, CLOCK_MONOTONIC);
    return !(r < 0 && errno == ENOSYS);
  }();
  return has;
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

void Yield() { sched_yield(); }

int CurrentPid() { return static_cast<int>(getpid()); }

int CurrentThreadId() { return static_cast<int>(gettid()); }

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A killed child stays a zombie until its parent reaps it; it holds nothing any more.
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return true;
  buf[n] = '\0';
  const char* close_paren = strrchr(buf, ')');
  if (close_paren == nullptr || close_paren[1] == '\0') return true;
  char state = close_paren[2];
  return state != 'Z' && state != 'X' && state != 'x';
}

namespace {

// A lease is an open-file-description lock on byte `id` of the segment's file. Such a lock
// belongs to the open file (not to a pid), conflicts with every other open of the same file,
// in any PID namespace that shares the file, and goes when the last descriptor of that open
// file is closed: at the holder's exit, crash or SIGKILL. Segment descriptors are close-on-exec,
// so a child never inherits one. Record locks do not affect reads, writes or mappings.
flock LeaseRange(short type, uint32_t id) {
  flock fl{};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(id);
  fl.l_len = 1;
  return fl;
}

Status LockLease(int fd, uint32_t id) {
  flock fl = LeaseRange(F_WRLCK, id);
  if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return Status::Ok();
  // A conflicting lock is EAGAIN or EACCES, depending on the file system.
  return Status::Err(errno == EACCES ? EAGAIN : errno, "fcntl");
}

}  // namespace

Status TakeLease(const Mapping& m, uint32_t id) { return LockLease(m.fd, id); }

Status TakeSpareLease(const Mapping& m, uint32_t id, int* spare) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", m.fd);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open");
  Status s = LockLease(fd, id);
  if (!s.ok()) {
    close(fd);
    return s;
  }
  *spare = fd;
  return Status::Ok();
}

void DropSpareLease(int spare) { close(spare); }

bool LeaseHeld(const Mapping& m, uint32_t id) {
  flock fl = LeaseRange(F_WRLCK, id);
  if (fcntl(m.fd, F_OFD_GETLK, &fl) != 0) return true;
  return fl.l_type != F_UNLCK;
}

Status SetAffinity(int pid, const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return Status::Err(EINVAL, "sched_setaffinity");
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(pid, sizeof set, &set) != 0) return Status::FromErrno("sched_setaffinity");
  return Status::Ok();
}

Status GetAffinity(int pid, std::vector<int>* cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(pid, sizeof set, &set) != 0) return Status::FromErrno("sched_getaffinity");
  cpus->clear();
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) cpus->push_back(cpu);
  }
  return Status::Ok();
}

int MaxCpus() { return CPU_SETSIZE; }

Status SetPriority(int pid, int nice) {
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(pid), nice) != 0) {
    return Status::FromErrno("setpriority");
  }
  return Status::Ok();
}

Status GetPriority(int pid, int* nice) {
  errno = 0;
  int r = getpriority(PRIO_PROCESS, static_cast<id_t>(pid));
  if (r == -1 && errno != 0) return Status::FromErrno("getpriority");
  *nice = r;
  return Status::Ok();
}

Status RandomBytes(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t r = getrandom(p, n, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("getrandom");
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return Status::Ok();
}

}  // namespace mp::platform
