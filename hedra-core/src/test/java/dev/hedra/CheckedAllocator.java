package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The invariant check after each test, in the spirit of Caffeine's validation listener: a
 * transparent wrapper around the test's own allocator that
 *
 * <ul>
 *   <li>on every allocation checks the address is not 0, honours the requested alignment, and
 *       does not overlap any block the test holds (the requested bytes of every live block are
 *       kept in an ordered map, removed <em>before</em> the block is handed back, so concurrent
 *       tests cannot see false overlaps);
 *   <li>on {@link #close()} checks that the statistics balance
 *       ({@code allocations - frees == liveBlocks}, the per-heap and per-class figures add up to
 *       the merged ones), that nothing leaked (live blocks and bytes in use are back where they
 *       started, and the allocator agrees with the blocks the test still holds), and then closes
 *       the allocator (unless it is the process-wide one).
 * </ul>
 *
 * <p>Used with try-with-resources, a failure in the test body stays the primary failure and a
 * failed validation is attached to it as suppressed.
 */
final class CheckedAllocator implements NativeAllocator {

    private final NativeAllocator delegate;
    private final boolean closeDelegate;
    private final long baselineLiveBlocks;
    private final long baselineBytesInUse;
    /** address -> end (exclusive) of the requested bytes, for blocks the test holds. */
    private final ConcurrentSkipListMap<Long, Long> live = new ConcurrentSkipListMap<>();
    private volatile boolean closed;

    private CheckedAllocator(NativeAllocator delegate, boolean closeDelegate) {
        this.delegate = delegate;
        this.closeDelegate = closeDelegate;
        AllocatorStats stats = delegate.stats();
        this.baselineLiveBlocks = stats.liveBlocks();
        this.baselineBytesInUse = stats.bytesInUse();
    }

    /**
     * Wraps {@code delegate}; if {@code owned}, it must be fresh (no live blocks) and is closed
     * after validation.
     */
    static CheckedAllocator wrap(NativeAllocator delegate, boolean owned) {
        CheckedAllocator checked = new CheckedAllocator(delegate, owned);
        if (owned) {
            assertEquals(0, checked.baselineLiveBlocks, "a fresh allocator has no live blocks");
            assertEquals(0, checked.baselineBytesInUse, "a fresh allocator has no bytes in use");
        }
        return checked;
    }

    /** A fresh allocator from {@code Hedra.builder().build()}. */
    static CheckedAllocator open() {
        return wrap(Hedra.builder().name("hedra-test").build(), true);
    }

    NativeAllocator delegate() {
        return delegate;
    }

    /** Blocks handed out through this wrapper and not yet freed through it. */
    int heldBlocks() {
        return live.size();
    }

    // ---- tracking

    private long track(long address, long requested, long alignment, String operation) {
        if (address == 0) {
            throw new AssertionError(operation + " returned 0");
        }
        Blocks.assertAligned(address, alignment, operation);
        long end = address + Math.max(requested, 1);
        Map.Entry<Long, Long> below = live.floorEntry(end - 1);
        if (below != null && below.getValue() > address) {
            throw new AssertionError(operation + " returned " + Blocks.hex(address) + " (" + requested
                    + " bytes), which overlaps the live block " + Blocks.hex(below.getKey()) + " ("
                    + (below.getValue() - below.getKey()) + " bytes)");
        }
        Long previous = live.putIfAbsent(address, end);
        if (previous != null) {
            throw new AssertionError(operation + " returned the live block " + Blocks.hex(address) + " again");
        }
        return address;
    }

    private static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }

    // ---- NativeAllocator

    @Override
    public long malloc(long size) {
        return track(delegate.malloc(size), size, 8, "malloc(" + size + ")");
    }

    @Override
    public long malloc(long size, long alignment) {
        long address = delegate.malloc(size, alignment);
        return track(address, size, isPowerOfTwo(alignment) ? alignment : 1,
                "malloc(" + size + ", " + alignment + ")");
    }

    @Override
    public long calloc(long size) {
        return track(delegate.calloc(size), size, 8, "calloc(" + size + ")");
    }

    @Override
    public long realloc(long address, long newSize) {
        Long end = address == 0 ? null : live.remove(address);
        long moved;
        try {
            moved = delegate.realloc(address, newSize);
        } catch (RuntimeException | Error e) {
            if (end != null) {
                live.put(address, end);
            }
            throw e;
        }
        return track(moved, newSize, 8, "realloc(" + Blocks.hex(address) + ", " + newSize + ")");
    }

    @Override
    public void free(long address) {
        Long end = live.remove(address);
        try {
            delegate.free(address);
        } catch (RuntimeException | Error e) {
            if (end != null) {
                live.put(address, end);
            }
            throw e;
        }
    }

    @Override
    public void free(long address, long size) {
        Long end = live.remove(address);
        try {
            delegate.free(address, size);
        } catch (RuntimeException | Error e) {
            if (end != null) {
                live.put(address, end);
            }
            throw e;
        }
    }

    @Override
    public long usableSize(long address) {
        return delegate.usableSize(address);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = delegate.allocate(byteSize, byteAlignment);
        if (segment.byteSize() != byteSize) {
            throw new AssertionError("allocate(" + byteSize + ", " + byteAlignment + ") returned a segment of "
                    + segment.byteSize() + " bytes");
        }
        track(segment.address(), byteSize, byteAlignment, "allocate(" + byteSize + ", " + byteAlignment + ")");
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        Long end = segment.isNative() ? live.remove(segment.address()) : null;
        try {
            delegate.free(segment);
        } catch (RuntimeException | Error e) {
            if (end != null) {
                live.put(segment.address(), end);
            }
            throw e;
        }
    }

    // Arenas come from the real allocator: their blocks are not tracked here.
    @Override
    public HedraArena newConfinedArena() {
        return delegate.newConfinedArena();
    }

    @Override
    public HedraArena newSharedArena() {
        return delegate.newSharedArena();
    }

    @Override
    public AllocatorStats stats() {
        return delegate.stats();
    }

    /** Validates, then closes the allocator if the test owns it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            validate();
        } finally {
            if (closeDelegate) {
                delegate.close();
            }
        }
    }

    /** The checks of {@link #close()}, callable in the middle of a quiet test too. */
    void validate() {
        AllocatorStats stats = delegate.stats();
        assertBalanced(stats);
        long leaked = stats.liveBlocks() - baselineLiveBlocks;
        assertEquals(live.size(), leaked, () -> "the allocator counts " + leaked
                + " live blocks from this test, the test holds " + live.size() + ":\n" + stats);
        assertEquals(0, live.size(), () -> "the test leaked " + live.size() + " blocks, first at "
                + Blocks.hex(live.firstKey()) + ":\n" + stats);
        assertEquals(baselineBytesInUse, stats.bytesInUse(),
                () -> "bytes in use are not back to where they started (" + baselineBytesInUse + "):\n" + stats);
    }

    /**
     * The equations that hold in any quiet snapshot: merged figures are the sums of the figures
     * they were merged from, peaks are not below current values, nothing is negative.
     */
    static void assertBalanced(AllocatorStats stats) {
        assertEquals(stats.allocations() - stats.frees(), stats.liveBlocks(),
                () -> "allocations - frees != liveBlocks:\n" + stats);
        assertTrue(stats.liveBlocks() >= 0, () -> "negative live blocks:\n" + stats);
        assertTrue(stats.bytesInUse() >= 0, () -> "negative bytes in use:\n" + stats);
        assertTrue(stats.peakBytesInUse() >= stats.bytesInUse(), () -> "peak below bytes in use:\n" + stats);
        assertTrue(stats.peakBytesCommitted() >= stats.bytesCommitted(),
                () -> "peak committed below committed:\n" + stats);
        long classAllocations = 0;
        long classFrees = 0;
        for (AllocatorStats.SizeClassStats c : stats.sizeClasses()) {
            assertTrue(c.liveBlocks() >= 0, () -> "negative live blocks in " + c + ":\n" + stats);
            classAllocations += c.allocations();
            classFrees += c.frees();
        }
        assertEquals(stats.allocations(), classAllocations,
                "allocations per size class do not add up to the total:\n" + stats);
        assertEquals(stats.frees(), classFrees, "frees per size class do not add up to the total:\n" + stats);
        long heapAllocations = 0;
        long heapFrees = 0;
        long heapBytesInUse = 0;
        for (AllocatorStats.HeapStats heap : stats.heaps()) {
            heapAllocations += heap.allocations();
            heapFrees += heap.frees();
            heapBytesInUse += heap.bytesInUse();
        }
        assertEquals(stats.allocations(), heapAllocations,
                "allocations per heap do not add up to the total:\n" + stats);
        assertEquals(stats.frees(), heapFrees, "frees per heap do not add up to the total:\n" + stats);
        assertEquals(stats.bytesInUse(), heapBytesInUse,
                "bytes in use per heap do not add up to the total:\n" + stats);
    }
}
