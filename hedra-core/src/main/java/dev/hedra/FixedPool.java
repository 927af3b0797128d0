package dev.hedra;

import java.lang.foreign.MemorySegment;

/**
 * A pool of blocks of one size: the fastest allocation Hedra has. No size lookup, no search
 * across classes: take the lowest free block of the current page, put it back on free.
 *
 * <pre>{@code
 * try (FixedPool nodes = Hedra.allocator().newPool(40)) {
 *     long node = nodes.allocate();          // 40 bytes, 8-aligned
 *     nodes.free(node);
 * }                                          // close frees every block of the pool
 * }</pre>
 *
 * <p>A batch of blocks is faster to take and give back with the bulk calls,
 * {@link #allocate(long[], int, int)} and {@link #free(long[], int, int)}, than one by one.
 *
 * <p>Blocks pack end to end with no header, like the allocator's small blocks, and a double free
 * or a block of another pool is caught on every free (but for a double free whose two calls
 * race, the owner's and another thread's, as {@link NativeAllocator} explains).
 *
 * <p><b>Threads.</b> A pool from {@link NativeAllocator#newPool(long)} is owned by the thread that
 * created it: only that thread allocates (others get {@link WrongThreadException}), any thread
 * may free (a free from another thread is deferred to the owner, as in the allocator). A pool from
 * {@link NativeAllocator#newSharedPool(long)} may be used by any thread, under a lock.
 */
public interface FixedPool extends AutoCloseable {

    /** The size of every block, as given at creation rounded up to the alignment. */
    long blockSize();

    /** The alignment of every block. */
    long alignment();

    /**
     * Takes a block of {@link #blockSize()} bytes. Its contents are unspecified.
     *
     * @return the block's address, never 0
     * @throws OutOfMemoryError past the allocator's memory limit
     * @throws WrongThreadException if the pool is owned by another thread
     */
    long allocate();

    /**
     * Takes {@code count} blocks into {@code addresses[offset .. offset + count)}, as many calls
     * of {@link #allocate()} would, in less time: for a batch the pool hands out a run of its
     * free blocks at once instead of one per call.
     *
     * <pre>{@code
     * long[] nodes = new long[1024];
     * pool.allocate(nodes, 0, nodes.length);   // 1,024 blocks
     * ...
     * pool.free(nodes, 0, nodes.length);       // all back, in any order
     * }</pre>
     *
     * @throws IndexOutOfBoundsException if the range is not within the array
     * @throws OutOfMemoryError past the allocator's memory limit; the blocks this call had
     *     taken are given back first, so none is lost
     * @throws WrongThreadException if the pool is owned by another thread
     */
    void allocate(long[] addresses, int offset, int count);

    /** Takes a block as a segment of {@link #blockSize()} bytes with the global scope. */
    MemorySegment allocateSegment();

    /**
     * Gives a block back.
     *
     * @throws IllegalArgumentException if the address is not a block of this pool
     * @throws IllegalStateException if the block is already free
     */
    void free(long address);

    /**
     * Gives back the blocks at {@code addresses[offset .. offset + count)}, in any order, as
     * calls of {@link #free(long)} in array order would, in less time on the owner's thread. It
     * checks each block as {@link #free(long)} does and stops at the first bad one: the blocks
     * before it in the range are then free, it and the ones after it untouched.
     *
     * @throws IndexOutOfBoundsException if the range is not within the array
     * @throws IllegalArgumentException if an address is not a block of this pool
     * @throws IllegalStateException if a block is already free (or listed twice)
     */
    void free(long[] addresses, int offset, int count);

    /** Gives back a segment returned by {@link #allocateSegment()}. */
    void free(MemorySegment block);

    /** Blocks allocated and not yet freed (remote frees count once the owner collects them). */
    long liveBlocks();

    /** Frees every block of the pool and gives its memory back; later use throws. */
    @Override
    void close();
}
