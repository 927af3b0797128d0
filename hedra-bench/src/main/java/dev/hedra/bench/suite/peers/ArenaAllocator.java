package dev.hedra.bench.suite.peers;

import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.Arena;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JDK's own way to free one native allocation: a fresh arena per block, closed to free it.
 * The arena zeroes the block and mallocs underneath; the address-to-arena map is the price of
 * freeing by address, as it would be in a program that used arenas this way.
 *
 * <p>A confined arena can be closed only by the thread that opened it, so workloads that free
 * blocks on other threads get {@link #shared()} arenas, whose close synchronizes with every thread
 * (a handshake): that is the JDK's price of freeing across threads.
 */
public final class ArenaAllocator implements SuiteAllocator {

    private static final long MALLOC_ALIGNMENT = 16; // what C's malloc guarantees on x86-64 and AArch64

    private final boolean shared;
    private final ConcurrentHashMap<Long, Arena> arenas = new ConcurrentHashMap<>(); // any thread

    private ArenaAllocator(boolean shared) {
        this.shared = shared;
    }

    /** {@code Arena.ofConfined()} per block: every block must be freed by the thread that allocated it. */
    public static ArenaAllocator confined() {
        return new ArenaAllocator(false);
    }

    /** {@code Arena.ofShared()} per block, for workloads that free blocks on other threads. */
    public static ArenaAllocator shared() {
        return new ArenaAllocator(true);
    }

    @Override
    public String name() {
        return "arena";
    }

    @Override
    public String notes() {
        return shared
                ? "Arena.ofShared() per block (this workload frees across threads and a confined arena"
                        + " can be closed only by its owner; closing a shared arena is a handshake with"
                        + " every thread), zeroed, closed to free; address -> Arena in a ConcurrentHashMap"
                : "Arena.ofConfined() per block, zeroed, closed to free; address -> Arena in a"
                        + " ConcurrentHashMap";
    }

    @Override
    public long malloc(long size) {
        return allocate(size, MALLOC_ALIGNMENT);
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        return allocate(size, Math.max(alignment, MALLOC_ALIGNMENT));
    }

    @Override
    public long calloc(long size) {
        return allocate(size, MALLOC_ALIGNMENT); // arenas zero what they allocate
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        long moved = allocate(newSize, MALLOC_ALIGNMENT);
        RawMemory.copy(address, moved, Math.min(oldSize, newSize));
        free(address, oldSize);
        return moved;
    }

    @Override
    public void free(long address, long size) {
        Arena arena = arenas.remove(address);
        if (arena == null) {
            throw new IllegalArgumentException("0x" + Long.toHexString(address) + " is not a live block of this allocator");
        }
        try {
            arena.close();
        } catch (RuntimeException refused) { // a confined arena closed by another thread: the block stays live
            arenas.put(address, arena);
            throw refused;
        }
    }

    private long allocate(long size, long alignment) {
        Arena arena = shared ? Arena.ofShared() : Arena.ofConfined();
        long address = arena.allocate(size, alignment).address();
        arenas.put(address, arena);
        return address;
    }
}
