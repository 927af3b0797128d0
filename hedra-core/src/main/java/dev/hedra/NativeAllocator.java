package dev.hedra;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A native-memory allocator: {@code malloc} and {@code free} of off-heap blocks addressed by
 * plain {@code long} addresses, and a {@link SegmentAllocator} over the same blocks.
 *
 * <p>Obtain one with {@link Hedra#allocator()} (the process-wide default) or
 * {@link Hedra#builder()}:
 *
 * <pre>{@code
 * NativeAllocator hedra = Hedra.allocator();
 * long address = hedra.malloc(64);
 * MemorySegment.ofAddress(address).reinterpret(64).set(ValueLayout.JAVA_LONG, 0, 42L);
 * hedra.free(address, 64);
 * }</pre>
 *
 * <p><b>Threads.</b> Every method may be called from any thread, platform or virtual. A block
 * may be freed by a thread other than the one that allocated it.
 *
 * <p><b>Alignment.</b> A block is aligned to the largest power of two dividing its size class,
 * at least 8 and at most 16 (a 24-byte request is 8-aligned, a 48-byte one 16-aligned), unless
 * the builder raised the minimum. Blocks of a power-of-two size up to 4 KiB are aligned to their
 * size. {@link #malloc(long, long)} gives any power-of-two alignment.
 *
 * <p><b>Bad input.</b> A double free, the free of an address this allocator never returned or of
 * an address inside a block, a sized free with the wrong size, a negative or overflowing size
 * or an alignment that is not a power of two raise {@link IllegalArgumentException} or
 * {@link IllegalStateException} naming the value, and leave the allocator as it was. A request
 * beyond the configured memory limit raises {@link OutOfMemoryError}; the allocator goes on
 * working once memory is freed. One double free can go unreported: when its two calls race, one
 * on the thread whose heap holds the block (usually the one that allocated it) and one on
 * another, both may return (the owner's free takes no lock and no fence; where a test starts the
 * two calls at the same moment, both returned in 1 to 8 of 100 tries); the block is then free once
 * and the allocator stays sound.
 *
 * <p><b>Use after free</b> is not detected on raw addresses or on the segments returned by
 * {@link #allocate(long, long)}, exactly as with {@code malloc}: those segments have the global
 * scope.
 */
public interface NativeAllocator extends SegmentAllocator, AutoCloseable {

    /**
     * Allocates a block of at least {@code size} bytes with the default alignment.
     *
     * @param size the number of bytes, greater than zero
     * @return the address of the block, never 0
     * @throws IllegalArgumentException if {@code size} is zero, negative or too large to map
     * @throws OutOfMemoryError if the memory limit or the operating system refuses the request
     */
    long malloc(long size);

    /**
     * Allocates a block of at least {@code size} bytes whose address is a multiple of
     * {@code alignment}.
     *
     * @param size the number of bytes, greater than zero
     * @param alignment a power of two
     * @return the address of the block, never 0
     * @throws IllegalArgumentException if {@code size} is not positive or {@code alignment} is not
     *     a power of two
     */
    long malloc(long size, long alignment);

    /**
     * Allocates a zeroed block of at least {@code size} bytes.
     *
     * @param size the number of bytes, greater than zero
     * @return the address of the block, never 0
     */
    long calloc(long size);

    /**
     * Resizes a block, preserving its contents up to the smaller of the old and new sizes. The
     * block may move; the old address must not be used afterwards. A block stays where it is
     * when the new size is one a sized free of it would accept. A medium block (above the
     * largest size class, up to 2 MiB) resized to another medium size in the heap that allocated
     * it (by the same platform thread, or through the same {@code NativeHeap}) shrinks where it
     * is, and grows where it is when the memory after it is free; it is copied only when it must
     * move. A huge block (above 2 MiB)
     * resized to another huge size is resized in place or has its pages moved by the system,
     * not copied, so growing one needs no room for a second copy under a
     * {@linkplain HedraBuilder#memoryLimit memory limit}.
     *
     * @param address a block of this allocator, or 0 to allocate a new block
     * @param newSize the new size, greater than zero
     * @return the address of the resized block
     */
    long realloc(long address, long newSize);

    /**
     * Frees a block. Address 0 is rejected like any other address this allocator did not return:
     * unlike C's {@code free(NULL)} it is not a no-op, since a 0 here is most often an address
     * field that was never set.
     *
     * @param address the address returned by {@code malloc}, {@code calloc} or {@code realloc}
     * @throws IllegalArgumentException if the address is not the start of a block of this
     *     allocator
     * @throws IllegalStateException if the block is already free
     */
    void free(long address);

    /**
     * Frees a block whose requested size the caller knows. Checked: the size must be one that
     * could have produced this block.
     *
     * @param address the address of the block
     * @param size the size passed to {@code malloc} or {@code realloc} for this block
     * @throws IllegalArgumentException if the size does not match the block, or the address is
     *     not the start of a block of this allocator (0 included, as in {@link #free(long)})
     * @throws IllegalStateException if the block is already free
     */
    void free(long address, long size);

    /**
     * Returns the number of bytes usable at {@code address}: the size class of the block, at
     * least the size requested.
     *
     * @param address the start of a live block
     * @return the usable size in bytes
     */
    long usableSize(long address);

    /**
     * Allocates a block as a segment of exactly {@code byteSize} bytes with the global scope.
     * Free it with {@link #free(MemorySegment)}. A zero-length request returns a zero-length
     * segment at a unique address, which must be freed as well.
     */
    @Override
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Frees a segment returned by {@link #allocate(long, long)}.
     *
     * @throws IllegalArgumentException if the segment did not come from this allocator
     */
    void free(MemorySegment segment);

    /**
     * Creates a first-class heap: blocks that live together, freed one by one or all at once.
     *
     * @param name shown in statistics and error messages
     * @see NativeHeap
     */
    NativeHeap newHeap(String name);

    /**
     * Creates a pool of blocks of one size, 8-aligned, owned by the calling thread (others may
     * free into it).
     *
     * @param blockSize the size of every block, from 1 byte to 1 MiB (rounded up to 8)
     * @see FixedPool
     */
    FixedPool newPool(long blockSize);

    /**
     * Creates a pool of blocks of one size and alignment owned by the calling thread.
     *
     * @param blockSize the size of every block, from 1 byte to 1 MiB (rounded up to the alignment)
     * @param alignment a power of two from 8 to 64 KiB
     */
    FixedPool newPool(long blockSize, long alignment);

    /** Creates a pool of blocks of one size that any thread may use (under a lock). */
    FixedPool newSharedPool(long blockSize);

    /**
     * Opens an arena confined to the calling thread, backed by this allocator.
     *
     * @see HedraArena
     */
    HedraArena newConfinedArena();

    /**
     * Opens an arena that any thread may use, backed by this allocator.
     *
     * @see HedraArena
     */
    HedraArena newSharedArena();

    /** Returns a snapshot of this allocator's statistics. */
    AllocatorStats stats();

    /**
     * Gives back to the operating system, now, the memory this allocator holds and can give back
     * without waiting: freed memory kept for reuse (normally given back after the purge delay, by
     * the allocator's timer or its next slow path), the empty pages and free medium areas of the
     * calling thread's own heap and of the heaps of threads that have ended (and of
     * {@linkplain #newHeap first-class heaps} and virtual threads' heaps that no thread is using
     * at that moment), and the pages whose every block other threads have freed, in any heap. For
     * a program about to go idle after a burst, as {@code malloc_trim} is for the C library.
     *
     * <p>What stays: blocks in use, and what other live threads keep for their own reuse (their
     * empty pages, up to the builder's {@code emptyPageBudget} each) and pools' empty pages; only
     * their owners may give those back. Memory given back faults in again, zeroed, if it is used
     * again. Safe to call from any thread at any time; it takes locks, so it does not belong on a
     * hot path.
     *
     * <pre>{@code
     * workers.invokeAll(batch);         // the burst: blocks allocated and freed on pool threads
     * Hedra.allocator().trim();         // about to wait for the next batch
     * }</pre>
     *
     * @throws IllegalStateException if the allocator is closed
     */
    void trim();

    /**
     * Releases all memory of this allocator: every block, live or not, becomes invalid. Calls
     * after close throw {@link IllegalStateException}. Close must not race with other calls.
     *
     * @throws IllegalStateException if arenas of this allocator are still open (their segments
     *     would point at unmapped memory)
     * @throws UnsupportedOperationException on the process-wide {@link Hedra#allocator()}
     */
    @Override
    void close();
}
