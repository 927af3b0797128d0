package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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
 *   <li>on {@code close()} checks that the statistics balance
 *       ({@code allocations - frees == liveBlocks}, the per-heap and per-class figures add up to
 *       the merged ones), that nothing leaked (live blocks and bytes in use are back where they
 *       started, and the allocator agrees with the blocks the test still holds), and then closes
 *       the allocator (unless it is the process-wide one).
 * </ul>
 *
 * <p>Used with try-with-resources, a failure in the test body stays the primary failure and a
 * failed validation is attached to it as suppressed.
 *
 * <p>The wrapper is a dynamic proxy: methods it does not check (arenas, heaps, whatever the API
 * grows) go straight to the real allocator, and default methods (the {@code SegmentAllocator}
 * conveniences) run on the proxy so that their blocks are checked too.
 */
final class CheckedAllocator implements InvocationHandler {

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
    static NativeAllocator wrap(NativeAllocator delegate, boolean owned) {
        CheckedAllocator checked = new CheckedAllocator(delegate, owned);
        if (owned) {
            assertEquals(0, checked.baselineLiveBlocks, "a fresh allocator has no live blocks");
            assertEquals(0, checked.baselineBytesInUse, "a fresh allocator has no bytes in use");
        }
        return (NativeAllocator) Proxy.newProxyInstance(CheckedAllocator.class.getClassLoader(),
                new Class<?>[] {NativeAllocator.class}, checked);
    }

    /** A fresh allocator from {@code Hedra.builder().build()}. */
    static NativeAllocator open() {
        return wrap(Hedra.builder().name("hedra-test").build(), true);
    }

    private static CheckedAllocator of(NativeAllocator wrapped) {
        return (CheckedAllocator) Proxy.getInvocationHandler(wrapped);
    }

    /** The real allocator under a wrapper from {@link #wrap}. */
    static NativeAllocator delegateOf(NativeAllocator wrapped) {
        return of(wrapped).delegate;
    }

    /** Blocks handed out through the wrapper and not yet freed through it. */
    static int heldBlocks(NativeAllocator wrapped) {
        return of(wrapped).live.size();
    }

    // ---- dispatch

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        Class<?>[] types = method.getParameterTypes();
        switch (name) {
            case "malloc":
                if (types.length == 1) {
                    long size = (Long) args[0];
                    return track(delegate.malloc(size), size, 8, "malloc(" + size + ")");
                }
                if (types.length == 2) {
                    long size = (Long) args[0];
                    long alignment = (Long) args[1];
                    return track(delegate.malloc(size, alignment), size, isPowerOfTwo(alignment) ? alignment : 1,
                            "malloc(" + size + ", " + alignment + ")");
                }
                break;
            case "calloc":
                if (types.length == 1) {
                    long size = (Long) args[0];
                    return track(delegate.calloc(size), size, 8, "calloc(" + size + ")");
                }
                break;
            case "realloc":
                if (types.length == 2) {
                    return realloc((Long) args[0], (Long) args[1]);
                }
                break;
            case "free":
                if (types.length == 1 && types[0] == long.class) {
                    long address = (Long) args[0];
                    untracked(address, () -> delegate.free(address));
                    return null;
                }
                if (types.length == 2) {
                    long address = (Long) args[0];
                    long size = (Long) args[1];
                    untracked(address, () -> delegate.free(address, size));
                    return null;
                }
                if (types.length == 1 && types[0] == MemorySegment.class) {
                    MemorySegment segment = (MemorySegment) args[0];
                    if (segment != null && segment.isNative()) {
                        untracked(segment.address(), () -> delegate.free(segment));
                    } else {
                        delegate.free(segment);
                    }
                    return null;
                }
                break;
            case "allocate":
                if (types.length == 2 && types[0] == long.class && types[1] == long.class) {
                    return allocate((Long) args[0], (Long) args[1]);
                }
                break;
            case "close":
                if (types.length == 0) {
                    close();
                    return null;
                }
                break;
            case "toString":
                if (types.length == 0) {
                    return "checked " + delegate;
                }
                break;
            case "hashCode":
                if (types.length == 0) {
                    return System.identityHashCode(proxy);
                }
                break;
            case "equals":
                if (types.length == 1) {
                    return proxy == args[0];
                }
                break;
            default:
                break;
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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

    /** Forgets the block before handing it back (so no one sees it reused while tracked); restores on failure. */
    private void untracked(long address, Runnable free) {
        Long end = live.remove(address);
        try {
            free.run();
        } catch (RuntimeException | Error e) {
            if (end != null) {
                live.put(address, end);
            }
            throw e;
        }
    }

    private long realloc(long address, long newSize) {
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

    private MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = delegate.allocate(byteSize, byteAlignment);
        if (segment.byteSize() != byteSize) {
            throw new AssertionError("allocate(" + byteSize + ", " + byteAlignment + ") returned a segment of "
                    + segment.byteSize() + " bytes");
        }
        track(segment.address(), byteSize, byteAlignment, "allocate(" + byteSize + ", " + byteAlignment + ")");
        return segment;
    }

    /** Validates, then closes the allocator if the test owns it. Idempotent. */
    private void close() {
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

    /** The checks of {@code close()}. */
    private void validate() {
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
