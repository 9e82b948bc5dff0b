// The byte layout of everything multiproc keeps in shared memory. Every process, whatever its
// build, must agree on it, so fields are fixed-width and offsets never change within a version.
//
//   segment: [SegmentHeader 256 B][block][block]...
//   block:   [BlockHeader 16 B][object][object]...   (64-byte aligned, so locks never share a line
//                                                     with another block's hot words)
//   object:  [ObjectHeader 8 B][state ...]           (8-byte aligned)
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mp {

constexpr uint32_t kSegmentMagic = 0x4753504d;  // "MPSG"
constexpr uint32_t kLayoutVersion = 2;
constexpr uint32_t kBlockMagic = 0x4b42504d;    // "MPBK"
constexpr size_t kSegmentHeaderSize = 256;
constexpr size_t kBlockHeaderSize = 16;
constexpr size_t kObjectHeaderSize = 8;
constexpr size_t kBlockAlign = 64;
constexpr int kSizeClasses = 12;                // 64 B .. 128 KiB

enum class ObjectKind : uint32_t {
  kLock = 1,
  kRLock = 2,
  kSemaphore = 3,
  kBoundedSemaphore = 4,
  kEvent = 5,
  kCondition = 6,
  kBarrier = 7,
  kData = 8,  // the bytes of a Value or Array
};

// The robust lock word used by Lock, RLock and the internal mutexes of Barrier and the allocator.
// `owner` is the holder's lease id in the lock's segment (0 = free; see lease.h) with
// kLockWaiters set while someone may sleep on it.
struct LockState {
  std::atomic<uint32_t> owner;
  std::atomic<uint32_t> thread;  // RLock: holder's thread tag (worker threadId + 1)
  std::atomic<uint32_t> count;   // RLock: recursion depth
  uint32_t reserved;
};
constexpr uint32_t kLockWaiters = 0x40000000u;
constexpr uint32_t kLockOwnerMask = 0x3fffffffu;

struct SemaphoreState {
  std::atomic<uint32_t> value;
  std::atomic<uint32_t> waiters;
  uint32_t max;  // BoundedSemaphore: the initial value; Semaphore: kSemaphoreMax
  uint32_t reserved;
};
constexpr uint32_t kSemaphoreMax = 0x7fffffffu;

// `flag`: bit 0 is the event's state; the bits above count set() calls that found it clear, so
// that a waiter can tell it was set meanwhile even if clear() came before it looked again.
struct EventState {
  std::atomic<uint32_t> flag;
  std::atomic<uint32_t> waiters;
};
constexpr uint32_t kEventSet = 1;

// Waiters take tickets; notify() moves `head` past the tickets it signals. A waiter that gives
// up marks its ticket cancelled so a later notify() skips it instead of losing a wake-up.
constexpr uint32_t kConditionWindow = 1024;
struct ConditionState {
  std::atomic<uint32_t> seq;  // bumped by every notify; the word waiters sleep on
  std::atomic<uint32_t> head;
  std::atomic<uint32_t> tail;
  std::atomic<uint32_t> waiters;
  std::atomic<uint32_t> cancelled[kConditionWindow / 32];
};

// Every generation ends exactly once: released, or broken by reset() or abort(); `gen` moves on
// then, so a waiter sleeping on it always wakes. Bit g % 32 of `broken_bits` tells how
// generation g ended, for waiters that wake late (up to 32 generations later).
struct BarrierState {
  std::atomic<uint32_t> gen;  // bumped whenever a generation ends; the word waiters sleep on
  std::atomic<uint32_t> count;
  uint32_t parties;
  std::atomic<uint32_t> broken;       // set by abort() until reset(): arrivals are refused
  std::atomic<uint32_t> broken_bits;
  std::atomic<uint32_t> waiters;
  uint32_t reserved[2];
  LockState mutex;
};

// The header of a Value's or Array's bytes, so a named one can be checked when reopened.
struct DataState {
  uint32_t typecode;
  uint32_t length;
};

struct ObjectHeader {
  uint32_t kind;
  uint32_t bytes;  // header included
};

struct BlockHeader {
  uint32_t magic;
  uint32_t bytes;               // whole block, header included
  std::atomic<int32_t> refs;    // processes' references; the block is freed at zero
  uint32_t next_free;           // free-list link while free
};

struct SegmentHeader {
  uint32_t magic;
  uint32_t version;
  uint8_t id[16];
  uint64_t size;
  LockState alloc_lock;
  uint32_t bump;                // first never-allocated offset
  uint32_t ready;               // set last, once the header is complete
  uint32_t free_heads[kSizeClasses];
  std::atomic<uint32_t> next_lease;  // the next lease id to try (lease.h)
};
static_assert(sizeof(SegmentHeader) <= kSegmentHeaderSize, "segment header too large");
static_assert(sizeof(LockState) == 16, "lock state layout");
static_assert(sizeof(BlockHeader) == kBlockHeaderSize, "block header layout");

}  // namespace mp
