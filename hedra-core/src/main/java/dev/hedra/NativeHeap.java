package dev.hedra;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A first-class heap: a family of blocks with one lifetime, kept together in memory, that can be
 * freed one by one or all at once. Like a mimalloc heap or a jemalloc arena, it suits objects
 * that live and die together: the nodes of one tree, the rows of one query, the entities of
 * one level.
 *
 * <pre>{@code
 * try (NativeHeap mesh = Hedra.allocator().newHeap("mesh")) {
 *     long vertex = mesh.malloc(24);
 *     long triangle = mesh.malloc(48);
 *     mesh.free(vertex);        // one at a time ...
 * }                             // ... or everything at once
 * }</pre>
 *
 * <p>Any thread may use a heap (its operations take a short lock). A block of a heap may also be
 * freed with the allocator's own {@code free}, from any thread. After {@link #close()} every
 * block of the heap is gone: freeing one raises {@link IllegalArgumentException}, and using the
 * heap raises {@link IllegalStateException}.
 */
public interface NativeHeap extends SegmentAllocator, AutoCloseable {

    /** The name given at creation. */
    String name();

    /** Allocates a block in this heap; see {@link NativeAllocator#malloc(long)}. */
    long malloc(long size);

    /** Allocates an aligned block in this heap; see {@link NativeAllocator#malloc(long, long)}. */
    long malloc(long size, long alignment);

    /** Allocates a zeroed block in this heap. */
    long calloc(long size);

    /**
     * Resizes a block; the moved block is in this heap. See
     * {@link NativeAllocator#realloc(long, long)}.
     */
    long realloc(long address, long newSize);

    /** Frees a block; see {@link NativeAllocator#free(long)}. */
    void free(long address);

    /** Frees a block whose requested size the caller knows; see {@link NativeAllocator#free(long, long)}. */
    void free(long address, long size);

    /** Allocates a block of this heap as a segment with the global scope. */
    @Override
    MemorySegment allocate(long byteSize, long byteAlignment);

    /** Frees a segment returned by {@link #allocate(long, long)}. */
    void free(MemorySegment segment);

    /** This heap's counters. */
    AllocatorStats.HeapStats stats();

    /** Frees every block of the heap at once and gives its memory back. */
    @Override
    void close();
}
