package dev.hedra.internal;

import dev.hedra.AllocatorStats;
import dev.hedra.NativeHeap;
import java.lang.foreign.MemorySegment;

/**
 * A {@link NativeHeap}: a locked {@link ThreadHeap} that no thread owns, so its pages hold only
 * its own blocks. Closing it releases its pages, medium areas and huge blocks at once.
 */
final class FamilyHeap implements NativeHeap {

    private final HedraAllocator allocator;
    private final ThreadHeap heap;
    private boolean destroyed; // guarded by heap.lock

    FamilyHeap(HedraAllocator allocator, ThreadHeap heap) {
        this.allocator = allocator;
        this.heap = heap;
    }

    @Override
    public String name() {
        return heap.name;
    }

    @Override
    public long malloc(long size) {
        lock();
        try {
            return allocator.mallocIn(heap, size);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public long malloc(long size, long alignment) {
        lock();
        try {
            return allocator.mallocIn(heap, size, alignment);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public long calloc(long size) {
        long address = malloc(size);
        allocator.zero(address, size);
        return address;
    }

    @Override
    public long realloc(long address, long newSize) {
        lock();
        try {
            return allocator.reallocIn(heap, address, newSize);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public void free(long address) {
        lock();
        try {
            allocator.freeIn(heap, address, -1);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public void free(long address, long size) {
        if (size <= 0 || size > HedraAllocator.MAX_SIZE) {
            throw Errors.badSize(size);
        }
        lock();
        try {
            allocator.freeIn(heap, address, size);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw Errors.badSize(byteSize);
        }
        long address = malloc(Math.max(byteSize, 1), byteAlignment);
        return MemorySegment.ofAddress(address).reinterpret(byteSize);
    }

    @Override
    public void free(MemorySegment segment) {
        lock();
        try {
            allocator.checkSegment(segment);
            allocator.freeIn(heap, segment.address(), -1);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public AllocatorStats.HeapStats stats() {
        lock();
        try {
            return Stats.of(heap);
        } finally {
            heap.lock.unlock();
        }
    }

    @Override
    public void close() {
        heap.lock.lock();
        try {
            if (destroyed) {
                return;
            }
            destroyed = true;
            allocator.destroy(heap);
        } finally {
            heap.lock.unlock();
        }
    }

    /** Takes the heap's lock; throws if the heap was closed. */
    private void lock() {
        heap.lock.lock();
        if (destroyed) {
            heap.lock.unlock();
            throw new IllegalStateException("heap '" + heap.name + "' is closed");
        }
    }

    @Override
    public String toString() {
        return "Hedra heap '" + heap.name + "'" + (destroyed ? " (closed)" : "");
    }
}
