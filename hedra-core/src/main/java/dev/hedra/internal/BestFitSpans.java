package dev.hedra.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * The span tables of one best-fit region ({@code dev.hedra.BestFitRegion}): best fit with
 * coalescing over any {@link MemorySegment}, counted in granules, with all metadata here on the
 * Java heap and none in the region, so blocks pack end to end.
 *
 * <pre>
 *   region        |head| g0 | g1 | g2 | g3 | g4 | g5 | g6 | ... | g(capacity-1) |tail|
 *   spans              [block 2  ][free 3        ][blk 1][free ...              ]
 *   spanAt        start -&gt; length (&gt; 0) of a block, or ~node (&lt; 0) of a free span
 *   freeEndingAt  end   -&gt; node of the free span ending there (finds a left neighbour)
 *   free          the free spans by length ({@link FreeSpans}: exact lists, then a treap)
 * </pre>
 *
 * {@code head} is the bytes before the first granule-aligned address of a native region (0 for a
 * heap region, whose alignment is relative to its start); {@code tail} the bytes after the last
 * whole granule. Neither is ever handed out. A block's offset in the region is
 * {@code head + start * granule}.
 *
 * <p>Invariants, in granules, whenever no call is in progress:
 * <pre>
 *   the spans tile [0, capacity): each starts where the one before it ends
 *   usedGranules + sum(free span lengths) == capacity   (freeBytes + usedBytes == capacityBytes)
 *   liveBlocks == block entries in spanAt
 *   free.count == freeEndingAt.size == free entries in spanAt
 *   no two free spans touch: for a free span f, spanAt[end(f)] is a block or absent, and
 *     freeEndingAt has no entry at start(f)
 * </pre>
 *
 * <p>Costs: allocate is a best-fit lookup ({@code O(1)} for spans under 4,096 granules,
 * {@code O(log n)} expected above, n the free spans) plus two or three hash-map updates; free is
 * three lookups plus at most four updates. Neither allocates an object once the tables have
 * grown. Only an aligned request that the best fit cannot hold at its alignment, and no span
 * with room for any misalignment can either, scans the free spans, just before giving up.
 *
 * <p>Not thread-safe: {@code BestFitRegion} calls it under its lock.
 */
public final class BestFitSpans {

    private static final int NONE = FreeSpans.NONE;
    private static final long ABSENT = OffsetMap.ABSENT;

    private final MemorySegment region;
    private final long granule;
    private final int shift;
    private final long head;
    private final long capacity;
    /** Granule 0 in granules of the address space (native), for absolute alignment; 0 for heap. */
    private final long gridOrigin;

    // guarded by the caller's lock
    private final OffsetMap spanAt = new OffsetMap();
    private final OffsetMap freeEndingAt = new OffsetMap();
    private final FreeSpans free;
    private long usedGranules;
    private int liveBlocks;

    /**
     * Lays a grid of {@code granule}-byte granules over {@code region}, all free.
     *
     * @throws IllegalArgumentException if {@code granule} is not a power of two of at least 8, or
     *     the region holds no whole granule
     */
    public BestFitSpans(MemorySegment region, long granule) {
        Objects.requireNonNull(region, "region");
        if (granule < 8 || (granule & (granule - 1)) != 0) {
            throw RegionErrors.badGranule(granule);
        }
        this.region = region;
        this.granule = granule;
        this.shift = Long.numberOfTrailingZeros(granule);
        long misalignment = region.isNative() ? region.address() & (granule - 1) : 0;
        this.head = misalignment == 0 ? 0 : granule - misalignment;
        this.capacity = region.byteSize() > head ? (region.byteSize() - head) >>> shift : 0;
        if (capacity == 0) {
            throw RegionErrors.tooSmall(region, granule);
        }
        this.gridOrigin = region.isNative() ? (region.address() + head) >>> shift : 0;
        this.free = new FreeSpans(capacity);
        reset();
    }

    /**
     * Takes the best-fitting free span for {@code byteSize} bytes (at least one granule) at
     * {@code byteAlignment}.
     *
     * @return the offset of the block in the region
     * @throws IllegalArgumentException if the size is negative or the alignment not a power of two
     * @throws OutOfMemoryError if no free span holds the block
     * @throws IllegalStateException if the region's arena is closed
     */
    public long allocate(long byteSize, long byteAlignment) {
        if (!region.scope().isAlive()) {
            throw RegionErrors.notAlive(region);
        }
        if (byteSize < 0) {
            throw RegionErrors.negativeSize(byteSize);
        }
        if (byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0) {
            throw RegionErrors.badAlignment(byteAlignment);
        }
        long wanted = Math.max(1, (byteSize >>> shift) + ((byteSize & (granule - 1)) == 0 ? 0 : 1));
        long alignGranules = byteAlignment > granule ? byteAlignment >>> shift : 1;
        long start = wanted <= capacity ? place(wanted, alignGranules) : NONE;
        if (start == NONE) {
            throw RegionErrors.exhausted(byteSize, byteAlignment, largestFreeBlock(), freeBytes(), capacityBytes());
        }
        return head + (start << shift);
    }

    /**
     * Frees the block at {@code offset}, merging it with free neighbours.
     *
     * @return the usable bytes freed
     * @throws IllegalArgumentException if {@code offset} is outside the region or inside a block
     * @throws IllegalStateException if {@code offset} lies in free memory (a double free)
     */
    public long free(long offset) {
        long start = blockStart(offset);
        long length = spanAt.get(start);
        release(start, length);
        return length << shift;
    }

    /**
     * Frees the block that {@code block} (a segment from this region) starts, after checking that
     * the segment is no longer than the block.
     *
     * @throws IllegalArgumentException if the segment is not from the region, not at the start of
     *     a block, or longer than the block
     * @throws IllegalStateException if the segment lies in free memory (a double free)
     */
    public long free(MemorySegment block) {
        long offset = offsetOf(block);
        long start = blockStart(offset);
        long length = spanAt.get(start);
        if (block.byteSize() > length << shift) {
            throw RegionErrors.tooLong(where(offset), block.byteSize(), length << shift);
        }
        release(start, length);
        return length << shift;
    }

    /**
     * Returns the usable bytes of the live block at {@code offset}: its size rounded up to the
     * granule.
     *
     * @throws IllegalArgumentException if {@code offset} is outside the region or inside a block
     * @throws IllegalStateException if {@code offset} lies in free memory
     */
    public long sizeOf(long offset) {
        return spanAt.get(blockStart(offset)) << shift;
    }

    /** Frees every block: the region becomes one free span. */
    public void reset() {
        spanAt.clear();
        freeEndingAt.clear();
        free.clear();
        int whole = free.add(0, capacity);
        spanAt.put(0, ~whole);
        freeEndingAt.put(capacity, whole);
        usedGranules = 0;
        liveBlocks = 0;
    }

    public long granule() {
        return granule;
    }

    /** Bytes that blocks can use: the whole granules of the region. */
    public long capacityBytes() {
        return capacity << shift;
    }

    public long freeBytes() {
        return (capacity - usedGranules) << shift;
    }

    public long usedBytes() {
        return usedGranules << shift;
    }

    public long largestFreeBlock() {
        return free.longest() << shift;
    }

    public int liveBlocks() {
        return liveBlocks;
    }

    public int freeSpans() {
        return free.count();
    }

    /** The figures, for {@code toString}. */
    public String describe() {
        return "capacity " + capacityBytes() + " B in " + granule + "-byte granules, " + liveBlocks
                + " blocks using " + usedBytes() + " B, " + freeBytes() + " B free in " + free.count()
                + " spans, largest free block " + largestFreeBlock() + " B";
    }

    /**
     * Checks every invariant of the class comment; O(n log n) in the spans, for tests.
     *
     * @throws IllegalStateException naming the first broken one
     */
    public void validate() {
        long[] starts = new long[spanAt.size()];
        int count = 0;
        for (int slot = 0; slot < spanAt.slots(); slot++) {
            if (spanAt.keyAt(slot) != OffsetMap.EMPTY) {
                starts[count++] = spanAt.keyAt(slot);
            }
        }
        Arrays.sort(starts);
        long position = 0;
        long used = 0;
        long freeGranules = 0;
        int blocks = 0;
        int freeEntries = 0;
        boolean previousFree = false;
        for (long start : starts) {
            check(start == position, "a span starts at granule " + start + " where one should start at " + position);
            long entry = spanAt.get(start);
            if (entry > 0) {
                used += entry;
                blocks++;
                position += entry;
                previousFree = false;
            } else {
                int node = (int) ~entry;
                check(free.isSpan(node) && free.start(node) == start, "free span at granule " + start + " has node " + node);
                check(!previousFree, "free spans touch at granule " + start);
                check(freeEndingAt.get(free.end(node)) == node, "no end entry for the free span at granule " + start);
                freeGranules += free.length(node);
                freeEntries++;
                position += free.length(node);
                previousFree = true;
            }
        }
        check(position == capacity, "the spans end at granule " + position + ", not " + capacity);
        check(used == usedGranules, used + " granules in blocks, counted " + usedGranules);
        check(blocks == liveBlocks, blocks + " blocks, counted " + liveBlocks);
        check(used + freeGranules == capacity, "used " + used + " + free " + freeGranules + " != " + capacity);
        check(freeEntries == free.count() && freeEndingAt.size() == free.count(),
                freeEntries + " free spans, " + freeEndingAt.size() + " end entries, " + free.count() + " indexed");
        free.validate();
    }

    /** Formats a position as the messages name it: {@code offset 48 (0x7f3a2c000030)}. */
    String where(long offset) {
        return region.isNative() ? "offset " + offset + " (" + Errors.hex(region.address() + offset) + ")" : "offset " + offset;
    }

    private long place(long wanted, long alignGranules) {
        int node = free.bestFit(wanted);
        if (node == NONE) {
            return NONE;
        }
        long at = alignedStart(node, alignGranules);
        if (at + wanted > free.end(node)) {
            // A span of wanted + alignGranules - 1 holds an aligned start whatever its own start.
            node = free.bestFit(wanted + alignGranules - 1);
            if (node == NONE) {
                node = scanForAligned(wanted, alignGranules);
                if (node == NONE) {
                    return NONE;
                }
            }
            at = alignedStart(node, alignGranules);
        }
        carve(node, at, wanted);
        return at;
    }

    /** The first granule of {@code node} at which a block is aligned to {@code alignGranules}. */
    private long alignedStart(int node, long alignGranules) {
        long start = free.start(node);
        return start + ((-(start + gridOrigin)) & (alignGranules - 1));
    }

    /** The shortest (then lowest) free span holding {@code wanted} granules at the alignment. */
    private int scanForAligned(long wanted, long alignGranules) {
        int best = NONE;
        for (int node = 0; node < free.nodeLimit(); node++) {
            if (free.isSpan(node) && free.length(node) >= wanted
                    && alignedStart(node, alignGranules) + wanted <= free.end(node)
                    && (best == NONE || free.length(node) < free.length(best)
                            || (free.length(node) == free.length(best) && free.start(node) < free.start(best)))) {
                best = node;
            }
        }
        return best;
    }

    /** Cuts the block [at, at + wanted) out of the free span {@code node}; its ends stay free. */
    private void carve(int node, long at, long wanted) {
        long spanStart = free.start(node);
        long spanEnd = free.end(node);
        long front = at - spanStart;
        long back = spanEnd - at - wanted;
        spanAt.put(at, wanted); // replaces the free entry when front == 0
        if (front > 0 && back > 0) {
            free.change(node, spanStart, front);
            freeEndingAt.put(at, node);
            int tail = free.add(at + wanted, back);
            spanAt.put(at + wanted, ~tail);
            freeEndingAt.put(spanEnd, tail);
        } else if (front > 0) {
            free.change(node, spanStart, front);
            freeEndingAt.remove(spanEnd);
            freeEndingAt.put(at, node);
        } else if (back > 0) {
            free.change(node, at + wanted, back);
            spanAt.put(at + wanted, ~node);
        } else {
            free.remove(node);
            freeEndingAt.remove(spanEnd);
        }
        usedGranules += wanted;
        liveBlocks++;
        if (Config.CHECKS) {
            checkBalance();
        }
    }

    /** Returns the live block [start, start + length) to the free spans, merging its neighbours. */
    private void release(long start, long length) {
        long end = start + length;
        long rightEntry = spanAt.get(end);
        int right = rightEntry < 0 && rightEntry != ABSENT ? (int) ~rightEntry : NONE;
        long leftEntry = freeEndingAt.get(start);
        int left = leftEntry == ABSENT ? NONE : (int) leftEntry;
        int merged;
        if (left != NONE && right != NONE) {
            long rightEnd = free.end(right);
            spanAt.remove(start);
            spanAt.remove(end);
            freeEndingAt.remove(start);
            free.remove(right);
            freeEndingAt.put(rightEnd, left);
            free.change(left, free.start(left), rightEnd - free.start(left));
            merged = left;
        } else if (left != NONE) {
            spanAt.remove(start);
            freeEndingAt.remove(start);
            freeEndingAt.put(end, left);
            free.change(left, free.start(left), end - free.start(left));
            merged = left;
        } else if (right != NONE) {
            spanAt.remove(end);
            spanAt.put(start, ~right);
            free.change(right, start, free.end(right) - start);
            merged = right;
        } else {
            merged = free.add(start, length);
            spanAt.put(start, ~merged);
            freeEndingAt.put(end, merged);
        }
        usedGranules -= length;
        liveBlocks--;
        if (Config.CHECKS) {
            checkMerged(merged);
            checkBalance();
        }
    }

    /** The start granule of the live block at {@code offset}, or the exception that says why not. */
    private long blockStart(long offset) {
        if (offset < head || offset - head >= capacityBytes()) {
            throw RegionErrors.outside(where(offset), head, head + capacityBytes());
        }
        long relative = offset - head;
        long position = relative >>> shift;
        if ((relative & (granule - 1)) == 0) {
            long entry = spanAt.get(position);
            if (entry > 0) {
                return position;
            }
            if (entry != ABSENT) {
                throw RegionErrors.doubleFree(where(offset));
            }
        }
        long container = containingSpan(position);
        long entry = spanAt.get(container);
        String containerStart = where(head + (container << shift));
        if (entry > 0) {
            throw RegionErrors.interior(where(offset), containerStart);
        }
        throw RegionErrors.inFreeSpan(where(offset), containerStart, free.length((int) ~entry) << shift);
    }

    /** The start of the span holding granule {@code position}: a scan, for error messages only. */
    private long containingSpan(long position) {
        long best = 0;
        for (int slot = 0; slot < spanAt.slots(); slot++) {
            long start = spanAt.keyAt(slot);
            if (start != OffsetMap.EMPTY && start <= position && start > best) {
                best = start;
            }
        }
        return best;
    }

    /** The offset of {@code block} in the region, if it lies in it. */
    private long offsetOf(MemorySegment block) {
        Objects.requireNonNull(block, "block");
        long offset = block.address() - region.address();
        if (block.isNative() != region.isNative() || offset < 0 || offset > region.byteSize() - block.byteSize()
                // a heap segment's address is its offset in its array: check that the arrays agree
                || (!region.isNative() && !region.asSlice(offset, 0).equals(block))) {
            throw RegionErrors.foreignSegment(block, region);
        }
        return offset;
    }

    private void checkMerged(int node) {
        long after = spanAt.get(free.end(node));
        check(after > 0 || after == ABSENT, "free span at granule " + free.start(node) + " touches a free span after it");
        check(freeEndingAt.get(free.start(node)) == ABSENT,
                "free span at granule " + free.start(node) + " touches a free span before it");
        check(spanAt.get(free.start(node)) == ~node && freeEndingAt.get(free.end(node)) == node,
                "free span at granule " + free.start(node) + " is not in the address maps");
    }

    private void checkBalance() {
        check(freeEndingAt.size() == free.count(), freeEndingAt.size() + " end entries for " + free.count() + " free spans");
        check(spanAt.size() == liveBlocks + free.count(), spanAt.size() + " spans, " + liveBlocks + " blocks + "
                + free.count() + " free");
        check(usedGranules >= 0 && usedGranules <= capacity, "used granules " + usedGranules);
    }

    private static void check(boolean condition, String broken) {
        if (!condition) {
            throw new IllegalStateException("best-fit spans: " + broken);
        }
    }
}
