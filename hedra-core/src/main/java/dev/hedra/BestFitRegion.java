package dev.hedra;

import dev.hedra.internal.BestFitSpans;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A best-fit allocator over a {@link MemorySegment} you supply: a mapped file, shared memory, a
 * slice of a bigger segment, a heap array. Each request takes the smallest free span that holds
 * it; a freed block merges with free neighbours, so the region never fragments into pieces
 * smaller than what was freed together. The bookkeeping lives on the Java heap, apart from the
 * region: there is no header between blocks, and the region's bytes are only the blocks'.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     BestFitRegion objects = BestFitRegion.over(arena.allocate(1 << 20, 4096));
 *     MemorySegment node = objects.allocate(48, 8);   // a slice of the region, 48 bytes
 *     node.set(ValueLayout.JAVA_LONG, 0, 42L);
 *     objects.free(node);                             // merged with its free neighbours
 * }
 * }</pre>
 *
 * <p><b>Offsets.</b> When another process maps the same memory at another address, pass offsets
 * rather than segments: {@link #allocateOffset(long, long)} returns the block's offset from the
 * region's start, {@link #freeOffset(long)} frees it, {@link #sizeOf(long)} gives its usable size.
 * The bookkeeping stays in this process; only the blocks are shared.
 *
 * <pre>{@code
 * MemorySegment file = channel.map(FileChannel.MapMode.READ_WRITE, 0, 1 << 26, arena);
 * BestFitRegion shared = BestFitRegion.over(file);
 * long record = shared.allocateOffset(200, 8);
 * file.set(ValueLayout.JAVA_LONG, record, 7L);        // another process reads it at the same offset
 * shared.freeOffset(record);
 * }</pre>
 *
 * <p><b>Granules.</b> The region is cut into granules (16 bytes unless given to
 * {@link #over(MemorySegment, long)}); every block is a whole number of granules, its size rounded
 * up, and a zero-length request takes one granule of its own. Blocks of {@code k} granules
 * allocated one after another from an empty region lie exactly {@code k * granule} bytes apart.
 * The region's bytes past its last whole granule are never used, nor, in a native region that
 * does not start at a multiple of the granule, the bytes before the first one.
 *
 * <p><b>Alignment.</b> Every block is aligned to the granule. {@link #allocate(long, long)}
 * honours larger alignments too. In a native region alignment is of the absolute address, as
 * {@link java.lang.foreign.MemoryLayout} access requires; in a heap region it is relative to the
 * region's start (a heap segment has no stable address), which gives the absolute alignment only
 * up to what the array's element type guarantees.
 *
 * <p><b>Running out.</b> When no free span holds a request, {@link #allocate(long, long)} and
 * {@link #allocateOffset(long, long)} throw {@link OutOfMemoryError} naming the request and the
 * largest free block; they never return null. The region goes on working once blocks are freed.
 *
 * <p><b>Bad input</b> (a negative size, an alignment that is not a power of two, the free of a
 * segment from elsewhere, of an offset inside a block or of a block already free) throws
 * {@link IllegalArgumentException} or, for memory that is already free,
 * {@link IllegalStateException}. Messages name the offset in decimal and, in a native region, the
 * address in hex ({@code offset 48 (0x7f3a2c000030)}). The region is left exactly as it was.
 *
 * <p><b>Threads.</b> Every method may be called from any thread: one lock serializes them, so
 * this suits moderate contention, not a hot path shared by many threads. Accessing the returned
 * segments follows the region's own rules: blocks of a region from a confined arena may be
 * allocated anywhere but read and written only by the arena's owner thread.
 *
 * <p><b>Lifetime.</b> Blocks are slices of the region and share its scope: when the region's arena
 * closes they become inaccessible, and allocating from the region throws
 * {@link IllegalStateException}. Use after free of a block is not detected, as with
 * {@code malloc}.
 */
public final class BestFitRegion implements SegmentAllocator {

    /** The granule of {@link #over(MemorySegment)}, in bytes. */
    public static final long DEFAULT_GRANULE = 16;

    private final MemorySegment region;
    private final ReentrantLock lock = new ReentrantLock();
    private final BestFitSpans spans; // guarded by lock

    private BestFitRegion(MemorySegment region, long granule) {
        this.region = region;
        this.spans = new BestFitSpans(region, granule);
    }

    /**
     * Creates an allocator over {@code region} with 16-byte granules. The region's current
     * contents are left alone; all of it starts free.
     *
     * @param region the memory to allocate from, native or heap, of at least one granule
     * @return a new allocator, with no live blocks
     * @throws IllegalArgumentException if the region holds no whole 16-byte granule
     */
    public static BestFitRegion over(MemorySegment region) {
        return over(region, DEFAULT_GRANULE);
    }

    /**
     * Creates an allocator over {@code region} with granules of {@code granule} bytes: every
     * block's size is rounded up to it, and every block is aligned to it. A larger granule means
     * fewer, coarser spans to search; a smaller one less rounding waste.
     *
     * @param region the memory to allocate from, native or heap
     * @param granule a power of two, at least 8
     * @return a new allocator, with no live blocks
     * @throws IllegalArgumentException if {@code granule} is not a power of two of at least 8, or
     *     the region holds no whole granule
     */
    public static BestFitRegion over(MemorySegment region, long granule) {
        return new BestFitRegion(region, granule);
    }

    /**
     * Allocates a block from the smallest free span that holds it, as a slice of the region of
     * exactly {@code byteSize} bytes. Its contents are whatever the region held there. Free it
     * with {@link #free(MemorySegment)}; a zero-length request returns a zero-length segment at a
     * granule of its own, which must be freed as well.
     *
     * @param byteSize the number of bytes, zero or more
     * @param byteAlignment a power of two; of the address in a native region, of the offset in a
     *     heap region
     * @return a slice of {@link #region()}, never null
     * @throws IllegalArgumentException if {@code byteSize} is negative or {@code byteAlignment} is
     *     not a power of two
     * @throws OutOfMemoryError if no free span holds the block
     * @throws IllegalStateException if the region's arena is closed
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return region.asSlice(allocateOffset(byteSize, byteAlignment), byteSize);
    }

    /**
     * Frees a block returned by {@link #allocate(long, long)} (or a slice of the region that
     * starts at a block and is no longer than it). The block merges with free neighbours.
     *
     * @param block the segment to free
     * @throws IllegalArgumentException if the segment is not from this region, does not start at a
     *     block, or is longer than the block
     * @throws IllegalStateException if the block is already free
     */
    public void free(MemorySegment block) {
        lock.lock();
        try {
            spans.free(block);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Allocates a block as {@link #allocate(long, long)} does and returns its offset from the start
     * of the region, for memory mapped at different addresses in different processes. Read and
     * write it through the region, or {@code region().asSlice(offset, byteSize)}.
     *
     * @param byteSize the number of bytes, zero or more
     * @param byteAlignment a power of two (of the address in a native region, as mapped in this
     *     process; of the offset in a heap region)
     * @return the block's offset in the region, a multiple of the granule from the first granule
     * @throws IllegalArgumentException if {@code byteSize} is negative or {@code byteAlignment} is
     *     not a power of two
     * @throws OutOfMemoryError if no free span holds the block
     * @throws IllegalStateException if the region's arena is closed
     */
    public long allocateOffset(long byteSize, long byteAlignment) {
        lock.lock();
        try {
            return spans.allocate(byteSize, byteAlignment);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees the block at {@code offset}, returned by {@link #allocateOffset(long, long)}.
     *
     * @param offset the block's offset in the region
     * @throws IllegalArgumentException if {@code offset} is outside the region or inside a block
     * @throws IllegalStateException if the block is already free
     */
    public void freeOffset(long offset) {
        lock.lock();
        try {
            spans.free(offset);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the usable size of the live block at {@code offset}: the size requested rounded up
     * to the granule (one granule for a zero-length block). All of it may be used.
     *
     * @param offset the block's offset in the region
     * @return the usable size in bytes
     * @throws IllegalArgumentException if {@code offset} is outside the region or inside a block
     * @throws IllegalStateException if {@code offset} lies in free memory
     */
    public long sizeOf(long offset) {
        lock.lock();
        try {
            return spans.sizeOf(offset);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the bytes not in any block: {@code freeBytes() + usedBytes() == capacity()}. */
    public long freeBytes() {
        lock.lock();
        try {
            return spans.freeBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the usable bytes of the live blocks (their sizes rounded up to the granule). */
    public long usedBytes() {
        lock.lock();
        try {
            return spans.usedBytes();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the size of the largest free span: the largest request that would succeed now with
     * an alignment no greater than the granule. {@code largestFreeBlock() == capacity()} when no
     * block is live.
     */
    public long largestFreeBlock() {
        lock.lock();
        try {
            return spans.largestFreeBlock();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of blocks allocated and not yet freed. */
    public int liveBlocks() {
        lock.lock();
        try {
            return spans.liveBlocks();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the bytes blocks can occupy: the region's whole granules, which is the region's size
     * unless it does not start or end on a granule boundary.
     */
    public long capacity() {
        return spans.capacityBytes(); // fixed at creation
    }

    /** Returns the granule: every block's size is a multiple of it. */
    public long granule() {
        return spans.granule(); // fixed at creation
    }

    /** Returns the segment this allocator carves its blocks from, as given to {@code over}. */
    public MemorySegment region() {
        return region;
    }

    /**
     * Frees every block at once: the whole region becomes one free span, as when it was created.
     * Blocks allocated before must not be used or freed afterwards; freeing one throws
     * {@link IllegalStateException} unless its offset has been handed out again.
     */
    public void reset() {
        lock.lock();
        try {
            spans.reset();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the figures: capacity, granule, live blocks and their bytes, free bytes and spans,
     * the largest free block. For example {@code BestFitRegion[capacity 65536 B in 16-byte
     * granules, 3 blocks using 96 B, 65440 B free in 2 spans, largest free block 65392 B]}.
     */
    @Override
    public String toString() {
        lock.lock();
        try {
            return "BestFitRegion[" + spans.describe() + "]";
        } finally {
            lock.unlock();
        }
    }

    /** Checks the span tables' invariants; for tests. */
    void validate() {
        lock.lock();
        try {
            spans.validate();
        } finally {
            lock.unlock();
        }
    }
}
