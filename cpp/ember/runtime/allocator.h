// The caching allocator behind allocate_buffer: freed blocks are kept by size class and handed out
// again, so a loop that makes same-sized temporaries stops paying for fresh pages (page faults
// dominate elementwise work on fresh memory). Large blocks are 2 MiB aligned and asked for huge
// pages, as NumPy does. Small blocks (up to 4 KiB) are kept by the freeing thread first, without a
// lock: a replayed program makes and frees a few of them per Kernel.
#pragma once
#include <cstddef>

namespace ember::runtime {

// At least `nbytes` bytes, 64-byte aligned; `*capacity` receives the block's size class.
void* cached_alloc(size_t nbytes, size_t* capacity);
// Returns a block from cached_alloc (with its capacity) to the cache, or frees it past the limit.
void cached_free(void* p, size_t capacity);
// Frees every cached block; returns the bytes released.
size_t empty_cache();
// Bytes currently held in the shared cache (not in use; the threads' small blocks aside).
size_t cached_bytes();

}  // namespace ember::runtime
