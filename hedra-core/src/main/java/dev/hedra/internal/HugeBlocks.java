package dev.hedra.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Huge blocks: above {@link MediumSpans#MAX_SIZE}, each mapped directly from the system. A map
 * from address to mapped length finds them; a huge block costs microseconds to map, so the map's
 * objects do not matter.
 *
 * <p>A freed map is retained for the purge delay (up to {@link #RETAIN_BUDGET} bytes, and an
 * eighth of what is committed) and reused, trimmed to size, by the next huge request it fits:
 * its pages are still resident, so the program does not fault them in again. Retained maps count
 * as the address space's retained bytes; they are unmapped after the delay or when memory is
 * short. A reused map is not zero: {@link #zeroIfReused} fills it for {@code calloc}.
 */
final class HugeBlocks {

    /** Most bytes of freed huge maps retained for reuse. */
    static final long RETAIN_BUDGET = 32L << 20;

    private final AddressSpace space;
    private final String allocatorName;
    private final long purgeDelayNanos;
    /** Whether fresh maps of {@link Os#HUGE_PAGE_SIZE} or more ask for transparent huge pages. */
    private final boolean hugePages;
    private final ConcurrentHashMap<Long, Block> blocks = new ConcurrentHashMap<>();

    // Retained maps: guarded by this object's lock.
    private long[] retainedAddress = new long[8];
    private long[] retainedLength = new long[8];
    private long[] retainedExpiry = new long[8];
    private int retainedCount;
    private long retainedBytes;

    /** A live huge block: its mapped length, the heap whose statistics count it, and whether its map was reused. */
    private record Block(long length, ThreadHeap heap, boolean reused) {}

    HugeBlocks(AddressSpace space, String allocatorName, long purgeDelayMillis, boolean hugePages) {
        this.space = space;
        this.hugePages = hugePages;
        this.allocatorName = allocatorName;
        this.purgeDelayNanos = purgeDelayMillis * 1_000_000L;
    }

    static long mappedLength(long size) {
        return (size + Os.PAGE_SIZE - 1) & -Os.PAGE_SIZE;
    }

    long allocate(ThreadHeap heap, long size, long alignment) {
        long length = mappedLength(size);
        if (!space.commitHuge(length)) {
            throw space.limitReached(length, size);
        }
        long address = takeRetained(length, Math.max(alignment, Os.PAGE_SIZE));
        boolean reused = address != 0;
        if (!reused) {
            address = map(length, alignment);
        }
        if (address == 0) {
            space.uncommitHuge(length);
            throw Errors.system(allocatorName, size, Os.lastError());
        }
        blocks.put(address, new Block(length, heap, reused));
        heap.hugeBytesInUse.add(length);
        return address;
    }

    /** For {@code calloc}: zeroes the block at {@code address} if its map was reused (fresh maps read zero). */
    void zeroIfReused(long address, long size) {
        Block block = blocks.get(address);
        if (block != null && block.reused) {
            java.lang.foreign.MemorySegment.ofAddress(address).reinterpret(size).fill((byte) 0);
        }
    }

    /**
     * The smallest retained map that holds {@code length} bytes at {@code alignment}, trimmed to
     * {@code length}; 0 if none. Expired maps are unmapped on the way.
     */
    private synchronized long takeRetained(long length, long alignment) {
        unmapExpired(System.nanoTime());
        int best = -1;
        for (int i = 0; i < retainedCount; i++) {
            if (retainedLength[i] >= length && (retainedAddress[i] & (alignment - 1)) == 0
                    && (best < 0 || retainedLength[i] < retainedLength[best])) {
                best = i;
            }
        }
        if (best < 0) {
            return 0;
        }
        long address = retainedAddress[best];
        long mapped = retainedLength[best];
        removeRetained(best);
        if (mapped > length) {
            Os.unmap(address + length, mapped - length); // keep exactly what the block needs
        }
        return address;
    }

    /** A freed map: retained for reuse if the budget allows, else unmapped. */
    private void release(long address, long length) {
        long budget = Math.min(RETAIN_BUDGET, space.committed() / 8);
        synchronized (this) {
            if (purgeDelayNanos > 0 && retainedBytes + length <= budget) {
                if (retainedCount == retainedAddress.length) {
                    retainedAddress = java.util.Arrays.copyOf(retainedAddress, retainedCount * 2);
                    retainedLength = java.util.Arrays.copyOf(retainedLength, retainedCount * 2);
                    retainedExpiry = java.util.Arrays.copyOf(retainedExpiry, retainedCount * 2);
                }
                retainedAddress[retainedCount] = address;
                retainedLength[retainedCount] = length;
                retainedExpiry[retainedCount++] = System.nanoTime() + purgeDelayNanos;
                retainedBytes += length;
                space.retainHuge(length);
                unmapExpired(System.nanoTime());
                return;
            }
        }
        Os.unmap(address, length);
    }

    private void unmapExpired(long now) {
        for (int i = retainedCount - 1; i >= 0; i--) {
            if (now - retainedExpiry[i] >= 0) {
                long address = retainedAddress[i];
                long length = retainedLength[i];
                removeRetained(i);
                Os.unmap(address, length);
            }
        }
    }

    private void removeRetained(int index) {
        long length = retainedLength[index];
        int last = --retainedCount;
        retainedAddress[index] = retainedAddress[last];
        retainedLength[index] = retainedLength[last];
        retainedExpiry[index] = retainedExpiry[last];
        retainedBytes -= length;
        space.retainHuge(-length);
    }

    /** Memory is short: unmaps every retained map. */
    synchronized void unmapRetained() {
        while (retainedCount > 0) {
            long address = retainedAddress[retainedCount - 1];
            long length = retainedLength[retainedCount - 1];
            removeRetained(retainedCount - 1);
            Os.unmap(address, length);
        }
    }

    /** Maps {@code length} bytes counted against the limit but not listed as a block (arenas). */
    long mapUnlisted(long length, long request, long alignment) {
        if (!space.commitHuge(length)) {
            throw space.limitReached(length, request);
        }
        long address = map(length, alignment);
        if (address == 0) {
            space.uncommitHuge(length);
            throw Errors.system(allocatorName, request, Os.lastError());
        }
        return address;
    }

    /**
     * A fresh map of {@code length} bytes at {@code alignment}, or 0 if the system refuses. A map
     * of a huge page or more is aligned to one and asks for huge pages (if so configured), so the
     * system can fault it in 2 MiB at a time.
     */
    private long map(long length, long alignment) {
        boolean huge = hugePages && length >= Os.HUGE_PAGE_SIZE;
        long address = Os.reserve(length, Math.max(alignment, huge ? Os.HUGE_PAGE_SIZE : Os.PAGE_SIZE));
        if (huge && address != 0) {
            Os.adviseHugePages(address, length);
        }
        return address;
    }

    void unmapUnlisted(long address, long length) {
        if (!space.isClosed()) {
            Os.unmap(address, length);
            space.uncommitHuge(length);
        }
    }

    /**
     * Frees the huge block at {@code address}; {@code size} is from a sized free, or -1.
     *
     * @return false if no huge block starts there
     */
    boolean free(long address, long size) {
        Block block = blocks.get(address);
        if (block == null) {
            return false;
        }
        if (size >= 0 && mappedLength(size) != block.length) {
            throw Errors.sizeMismatch(address, size, block.length);
        }
        if (blocks.remove(address, block)) {
            space.uncommitHuge(block.length);
            release(address, block.length);
            block.heap.hugeBytesInUse.add(-block.length);
            block.heap.hugeFrees.increment();
            return true;
        }
        return false;
    }

    /** Mapped length of the huge block at {@code address}, or -1. */
    long usableSize(long address) {
        Block block = blocks.get(address);
        return block == null ? -1 : block.length;
    }

    /** The huge block that contains {@code address}, or -1: for error messages only. */
    long blockContaining(long address) {
        for (var entry : blocks.entrySet()) {
            if (address - entry.getKey() >= 0 && address - entry.getKey() < entry.getValue().length) {
                return entry.getKey();
            }
        }
        return -1;
    }

    /** Frees every huge block {@code heap} allocated; returns how many. */
    int freeAllOf(ThreadHeap heap) {
        int freed = 0;
        for (var entry : blocks.entrySet()) {
            Block block = entry.getValue();
            if (block.heap == heap && blocks.remove(entry.getKey(), block)) {
                space.uncommitHuge(block.length);
                release(entry.getKey(), block.length);
                heap.hugeBytesInUse.add(-block.length);
                heap.hugeFrees.increment();
                freed++;
            }
        }
        return freed;
    }

    void close() {
        for (var entry : blocks.entrySet()) {
            Os.unmap(entry.getKey(), entry.getValue().length);
        }
        blocks.clear();
        unmapRetained();
    }
}
