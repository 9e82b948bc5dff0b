#include "segment.h"

#include <cstring>
#include <new>

#include "lock.h"
#include "objects.h"

namespace mp {
namespace {

int SizeClass(size_t total) {
  size_t size = kBlockAlign;
  for (int c = 0; c < kSizeClasses; c++, size <<= 1) {
    if (total <= size) return c;
  }
  return -1;
}

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

class AllocGuard {
 public:
  AllocGuard(SegmentHeader* h, const Lease& lease) : h_(h) {
    lock::AcquireInternal(&h_->alloc_lock, lease);
  }
  ~AllocGuard() { lock::Release(&h_->alloc_lock); }
  AllocGuard(const AllocGuard&) = delete;
  AllocGuard& operator=(const AllocGuard&) = delete;

 private:
  SegmentHeader* h_;
};

}  // namespace

Segment::~Segment() { platform::Unmap(&map_); }

void Segment::InitHeader() {
  SegmentHeader* h = header();
  h->magic = kSegmentMagic;
  h->version = kLayoutVersion;
  h->size = map_.size;
  lock::Init(&h->alloc_lock);
  h->bump = kSegmentHeaderSize;
  for (auto& head : h->free_heads) head = 0;
  h->next_lease.store(1);
  h->ready = 1;
}

Status Segment::TakeLease() { return lease_.Take(map_, &header()->next_lease); }

Status Segment::CreateAnonymous(size_t size, Segment** out) {
  auto* seg = new (std::nothrow) Segment();
  if (seg == nullptr) return Status::Err(ENOMEM, "new");
  size = RoundUp(size + kSegmentHeaderSize, 4096);
  Status s = platform::CreateAnonymous(size, &seg->map_);
  if (!s.ok()) {
    delete seg;
    return s;
  }
  s = platform::RandomBytes(seg->header()->id, sizeof seg->header()->id);
  if (!s.ok()) {
    delete seg;
    return s;
  }
  seg->InitHeader();
  s = seg->TakeLease();
  if (!s.ok()) {
    delete seg;
    return s;
  }
  *out = seg;
  return Status::Ok();
}

Status Segment::Reopen(int pid, int fd, const uint8_t id[16], Segment** out) {
  auto* seg = new (std::nothrow) Segment();
  if (seg == nullptr) return Status::Err(ENOMEM, "new");
  Status s = platform::ReopenAnonymous(pid, fd, &seg->map_);
  if (!s.ok()) {
    delete seg;
    return s;
  }
  // The descriptor may since have been closed and reused for something else entirely.
  const SegmentHeader* h = seg->header();
  if (seg->size() < kSegmentHeaderSize || h->magic != kSegmentMagic ||
      h->version != kLayoutVersion || memcmp(h->id, id, sizeof h->id) != 0 ||
      h->size != seg->size()) {
    delete seg;
    return Status::Err(ESTALE, "open");
  }
  s = seg->TakeLease();
  if (!s.ok()) {
    delete seg;
    return s;
  }
  *out = seg;
  return Status::Ok();
}

Status Segment::OpenOrCreateNamed(const char* name, size_t object_bytes,
                                  void (*init)(void* object, const void* arg), const void* arg,
                                  bool* created, Segment** out) {
  auto* seg = new (std::nothrow) Segment();
  if (seg == nullptr) return Status::Err(ENOMEM, "new");
  for (int attempt = 0; attempt < 8; attempt++) {
    Status s = platform::OpenNamed(name, &seg->map_);
    if (s.ok()) {
      const SegmentHeader* h = seg->header();
      if (seg->size() < kFirstObject + kObjectHeaderSize || h->magic != kSegmentMagic ||
          h->version != kLayoutVersion || h->ready != 1) {
        delete seg;
        return Status::Err(EILSEQ, "open");
      }
      s = seg->TakeLease();
      if (!s.ok()) {
        delete seg;
        return s;
      }
      *created = false;
      *out = seg;
      return Status::Ok();
    }
    if (s.code != ENOENT) {
      delete seg;
      return s;
    }
    size_t size = RoundUp(kFirstObject + object_bytes, 4096);
    s = platform::CreateUnpublished(size, &seg->map_);
    if (!s.ok()) {
      delete seg;
      return s;
    }
    s = platform::RandomBytes(seg->header()->id, sizeof seg->header()->id);
    if (!s.ok()) {
      delete seg;
      return s;
    }
    seg->InitHeader();
    // The lease is on the file, so it stays valid once the file is published under the name.
    s = seg->TakeLease();
    if (!s.ok()) {
      delete seg;
      return s;
    }
    uint32_t first = seg->Allocate(object_bytes);
    init(seg->base() + first, arg);
    s = platform::PublishNamed(seg->map_, name);
    if (s.ok()) {
      *created = true;
      *out = seg;
      return Status::Ok();
    }
    platform::Unmap(&seg->map_);
    if (s.code != EEXIST) {
      delete seg;
      return s;
    }
    // Someone published first: open theirs.
  }
  delete seg;
  return Status::Err(EBUSY, "open");
}

uint32_t Segment::Allocate(size_t bytes) {
  const size_t total = RoundUp(bytes + kBlockHeaderSize, kBlockAlign);
  SegmentHeader* h = header();
  const int cls = SizeClass(total);
  uint32_t offset = 0;
  size_t block_bytes = 0;
  bool reused = false;
  {
    AllocGuard guard(h, lease_);
    if (cls >= 0 && h->free_heads[cls] != 0) {
      offset = h->free_heads[cls];
      block_bytes = size_t{kBlockAlign} << cls;
      if (!BlockFits(offset, block_bytes)) return 0;
      h->free_heads[cls] = reinterpret_cast<BlockHeader*>(base() + offset)->next_free;
      reused = true;
    } else {
      block_bytes = cls >= 0 ? size_t{kBlockAlign} << cls : total;
      if (h->bump + block_bytes > map_.size) {
        // A segment made for one large object takes it whole, whatever its class.
        if (h->bump + total > map_.size) return 0;
        block_bytes = total;
      }
      offset = h->bump;
      if (!BlockFits(offset, block_bytes)) return 0;
      h->bump = static_cast<uint32_t>(h->bump + block_bytes);
    }
  }
  auto* block = reinterpret_cast<BlockHeader*>(base() + offset);
  // Fresh memory is already zero; only a reused block needs clearing.
  if (reused) memset(base() + offset + kBlockHeaderSize, 0, block_bytes - kBlockHeaderSize);
  block->bytes = static_cast<uint32_t>(block_bytes);
  block->next_free = 0;
  block->refs.store(1);
  block->magic = kBlockMagic;
  return offset + static_cast<uint32_t>(kBlockHeaderSize);
}

bool Segment::BlockFits(uint32_t offset, size_t bytes) const {
  return offset >= kSegmentHeaderSize && (offset - kSegmentHeaderSize) % kBlockAlign == 0 &&
         size_t{offset} + bytes <= map_.size;
}

BlockHeader* Segment::BlockAt(uint32_t object_offset) const {
  if (object_offset < kFirstObject || object_offset >= map_.size) return nullptr;
  uint32_t block_offset = object_offset - static_cast<uint32_t>(kBlockHeaderSize);
  if ((block_offset - kSegmentHeaderSize) % kBlockAlign != 0) return nullptr;
  auto* block = reinterpret_cast<BlockHeader*>(base() + block_offset);
  if (block->magic != kBlockMagic) return nullptr;
  if (block->bytes < kBlockAlign || block_offset + block->bytes > map_.size) return nullptr;
  return block;
}

bool Segment::Retain(uint32_t object_offset) {
  BlockHeader* block = BlockAt(object_offset);
  if (block == nullptr) return false;
  int32_t refs = block->refs.load();
  do {
    if (refs <= 0) return false;
  } while (!block->refs.compare_exchange_weak(refs, refs + 1));
  return true;
}

bool Segment::Release(uint32_t object_offset) {
  BlockHeader* block = BlockAt(object_offset);
  if (block == nullptr) return false;
  int32_t refs = block->refs.load();
  do {
    if (refs <= 0) return false;
  } while (!block->refs.compare_exchange_weak(refs, refs - 1));
  if (refs != 1) return true;
  const int cls = SizeClass(block->bytes);
  // Odd-sized blocks only exist in single-object segments, which vanish with their mappings.
  if (cls < 0 || (size_t{kBlockAlign} << cls) != block->bytes) return true;
  SegmentHeader* h = header();
  AllocGuard guard(h, lease_);
  block->next_free = h->free_heads[cls];
  h->free_heads[cls] = object_offset - static_cast<uint32_t>(kBlockHeaderSize);
  return true;
}

void* Segment::Object(uint32_t offset, ObjectKind kind) const {
  if (offset < kFirstObject || offset % 8 != 0) return nullptr;
  if (size_t{offset} + kObjectHeaderSize > map_.size) return nullptr;
  auto* header = reinterpret_cast<ObjectHeader*>(base() + offset);
  if (header->kind != static_cast<uint32_t>(kind)) return nullptr;
  // The header is in shared memory that JavaScript can write: it must leave room for the state.
  if (header->bytes < ObjectBytes(kind, ObjectParams{}) ||
      size_t{offset} + header->bytes > map_.size) {
    return nullptr;
  }
  return base() + offset + kObjectHeaderSize;
}

void* InitObjectHeader(void* object, ObjectKind kind, size_t bytes) {
  auto* header = static_cast<ObjectHeader*>(object);
  header->kind = static_cast<uint32_t>(kind);
  header->bytes = static_cast<uint32_t>(bytes);
  return static_cast<uint8_t*>(object) + kObjectHeaderSize;
}

}  // namespace mp
