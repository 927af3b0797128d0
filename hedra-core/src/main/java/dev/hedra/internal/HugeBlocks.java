package dev.hedra.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Huge blocks: above {@link MediumSpans#MAX_SIZE}, each mapped directly from the system. A map
 * from address to mapped length finds them; a huge block costs microseconds to map, so the map's
 * objects do not matter.
 *
 * <p>A freed map is retained for the purge delay (up to {@link #RETAIN_BUDGET} bytes, and a
 * quarter of what is committed, as for given-back runs; the newest maps are kept) and reused by
 * the next huge request: trimmed to size if it is large enough, else moved by {@code mremap} into
 * a reservation of the request's size, with other retained maps after it, largest first, so that
 * only the bytes they do not cover fault in. Its pages are still resident, so the program does
 * not fault them in again. Retained maps count as the address space's retained bytes; they are
 * unmapped after the delay or when memory is short. A reused map is not zero:
 * {@link #zeroIfReused} fills its old part for {@code calloc}. A {@code realloc} from huge to huge
 * resizes or moves the map ({@link #resize}) instead of copying it.
 */
final class HugeBlocks {

    /**
     * Most bytes of freed huge maps retained for reuse: the same as
     * {@link AddressSpace#DIRTY_BUDGET} for given-back runs. In malloc-large's pattern (blocks of
     * 5 to 25 MiB replaced at random), run with 4 KiB pages, it cut the page faults per round of
     * 180 calls from 122-138k (32 MiB and an eighth of what is committed) to 91-117k, and the
     * round's time from 268-357 to 190-251 ms, at the same peak in the suite (269-282 MiB against
     * 274-279). The suite's time for that workload does not show it: one build run eight times
     * took 580 to 4,217 us per operation, in two clusters, whatever the build.
     */
    static final long RETAIN_BUDGET = 64L << 20;

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

    /**
     * A live huge block: its mapped length, the heap whose statistics count it, and how many of
     * its first bytes may hold old data (0 for a fresh map, which reads zero).
     */
    private record Block(long length, ThreadHeap heap, long dirtyBytes) {}

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
        long address = takeRetained(heap, length, Math.max(alignment, Os.PAGE_SIZE));
        if (address == 0) {
            address = map(length, alignment);
            if (address == 0) {
                space.uncommitHuge(length);
                throw Errors.system(allocatorName, size, Os.lastError());
            }
            list(address, new Block(length, heap, 0));
        }
        return address;
    }

    /** Lists a live block and counts its bytes in use for its heap. */
    private void list(long address, Block block) {
        blocks.put(address, block);
        block.heap.hugeBytesInUse.add(block.length);
    }

    /** Counts a block that is no longer live (freed, or moved by a resize) for its heap. */
    private static void countFreed(Block block) {
        block.heap.hugeBytesInUse.add(-block.length);
        block.heap.hugeFrees.increment();
    }

    /** A freed block, taken off the list: its bytes leave the limit, its map is retained or unmapped. */
    private void dispose(long address, Block block) {
        space.uncommitHuge(block.length);
        release(address, block.length);
        countFreed(block);
    }

    /** For {@code calloc}: zeroes what the block at {@code address} kept of a reused map. */
    void zeroIfReused(long address, long size) {
        Block block = blocks.get(address);
        if (block != null && block.dirtyBytes > 0) {
            java.lang.foreign.MemorySegment.ofAddress(address)
                    .reinterpret(Math.min(size, block.dirtyBytes)).fill((byte) 0);
        }
    }

    /**
     * A block of {@code length} bytes at {@code alignment} made of retained pages, listed for
     * {@code heap}; 0 if none are retained. The smallest retained map that holds the block serves
     * it, trimmed; if none is large enough, retained maps are moved into a fresh reservation of
     * the block's size, largest first, until they fill it ({@link #assemble}), so only the bytes
     * they do not cover fault in. Expired maps are unmapped on the way.
     */
    private synchronized long takeRetained(ThreadHeap heap, long length, long alignment) {
        unmapExpired(System.nanoTime());
        int best = -1;
        for (int i = 0; i < retainedCount; i++) {
            if (retainedLength[i] >= length && (retainedAddress[i] & (alignment - 1)) == 0
                    && (best < 0 || retainedLength[i] < retainedLength[best])) {
                best = i;
            }
        }
        long address;
        long dirty;
        int largest;
        if (best >= 0) {
            address = retainedAddress[best];
            dirty = length;
            trim(best, length);
        } else if ((largest = largestRetained()) >= 0 && retainedLength[largest] < length) {
            dirty = Math.min(length, retainedBytes);
            address = assemble(length, alignment);
        } else {
            return 0; // none retained, or only maps that hold the block at the wrong alignment
        }
        if (address != 0) {
            list(address, new Block(length, heap, dirty));
        }
        return address;
    }

    /**
     * Takes retained map {@code index} for a block of {@code length} bytes at its start. What is
     * left past the block stays retained if it spans a huge page or more (from a huge-page
     * boundary, so it can be moved whole later); a smaller rest is unmapped.
     */
    private void trim(int index, long length) {
        long address = retainedAddress[index];
        long end = address + retainedLength[index];
        long expiry = retainedExpiry[index];
        removeRetained(index);
        long blockEnd = address + length;
        long rest = (blockEnd + Os.HUGE_PAGE_SIZE - 1) & -Os.HUGE_PAGE_SIZE;
        if (end - rest >= Os.HUGE_PAGE_SIZE) {
            if (rest > blockEnd) {
                Os.unmap(blockEnd, rest - blockEnd);
            }
            addRetained(rest, end - rest, expiry);
        } else if (end > blockEnd) {
            Os.unmap(blockEnd, end - blockEnd);
        }
    }

    /**
     * A fresh reservation of {@code length} bytes at {@code alignment} filled from its start with
     * the pages of retained maps, all smaller than {@code length}, largest first ({@link Os#move}
     * moves them, it does not copy); the last one used may give only its first part, and its
     * rest stays retained. Bytes past them read zero and fault in when touched. Returns 0 if the
     * system refuses: then the maps already moved are unmapped with the reservation (they were
     * free memory kept for reuse; nothing is lost but the reuse), and the one that failed stays
     * retained as it was.
     *
     * <p>A block of 20 MiB after a free of one of 16 and a trim that kept 6 MiB faults in none of
     * its pages: moving only the largest map, malloc-large's replacements faulted in about 4 MiB
     * each.
     */
    private long assemble(long length, long alignment) {
        long to = map(length, alignment);
        if (to == 0) {
            return 0;
        }
        long filled = 0;
        while (filled < length && retainedCount > 0) {
            int largest = largestRetained();
            long from = retainedAddress[largest];
            long taken = Math.min(retainedLength[largest], length - filled);
            if (!Os.move(from, taken, to + filled, taken)) {
                Os.unmap(to, length);
                return 0;
            }
            long rest = retainedLength[largest] - taken;
            long expiry = retainedExpiry[largest];
            removeRetained(largest);
            if (rest > 0) {
                addRetained(from + taken, rest, expiry); // as trim keeps a map's rest
            }
            filled += taken;
        }
        return to;
    }

    /**
     * The pages of the map at {@code from} ({@code fromLength} bytes) moved into a fresh
     * reservation of {@code length} bytes at {@code alignment}; 0 if the system refuses (the
     * map is then as it was).
     */
    private long moveIntoFresh(long from, long fromLength, long length, long alignment) {
        long to = map(length, alignment);
        if (to != 0 && !Os.move(from, fromLength, to, length)) {
            Os.unmap(to, length);
            return 0;
        }
        return to;
    }

    /**
     * A freed map: retained for reuse if the budget allows, else unmapped. The newest map is the
     * likeliest to serve the next request, so older ones are unmapped to make room for it.
     */
    private void release(long address, long length) {
        long budget = Math.min(RETAIN_BUDGET, space.committed() / 4);
        synchronized (this) {
            if (purgeDelayNanos > 0 && length <= budget) {
                long now = System.nanoTime();
                unmapExpired(now);
                while (retainedBytes + length > budget) {
                    unmapOldest();
                }
                addRetained(address, length, now + purgeDelayNanos);
                return;
            }
        }
        Os.unmap(address, length);
    }

    /** The index of the longest retained map, or -1 if none is retained. */
    private int largestRetained() {
        int largest = -1;
        for (int i = 0; i < retainedCount; i++) {
            if (largest < 0 || retainedLength[i] > retainedLength[largest]) {
                largest = i;
            }
        }
        return largest;
    }

    /**
     * Whether a freed block's map, kept for reuse, starts at {@code address}: for the error of a
     * second free or a use of the block (off the hot path; the retained maps are few).
     */
    synchronized boolean isRetainedAt(long address) {
        for (int i = 0; i < retainedCount; i++) {
            if (retainedAddress[i] == address) {
                return true;
            }
        }
        return false;
    }

    private void addRetained(long address, long length, long expiry) {
        if (retainedCount == retainedAddress.length) {
            retainedAddress = java.util.Arrays.copyOf(retainedAddress, retainedCount * 2);
            retainedLength = java.util.Arrays.copyOf(retainedLength, retainedCount * 2);
            retainedExpiry = java.util.Arrays.copyOf(retainedExpiry, retainedCount * 2);
        }
        retainedAddress[retainedCount] = address;
        retainedLength[retainedCount] = length;
        retainedExpiry[retainedCount++] = expiry;
        retainedBytes += length;
        space.retainHuge(length);
    }

    /** Unmaps the retained maps whose purge delay has passed (the background purge). */
    synchronized void unmapExpired() {
        unmapExpired(System.nanoTime());
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

    private void unmapOldest() {
        int oldest = 0;
        for (int i = 1; i < retainedCount; i++) {
            if (retainedExpiry[i] - retainedExpiry[oldest] < 0) {
                oldest = i;
            }
        }
        long address = retainedAddress[oldest];
        long length = retainedLength[oldest];
        removeRetained(oldest);
        Os.unmap(address, length);
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
            dispose(address, block);
            return true;
        }
        return false;
    }

    /**
     * {@code realloc} of the huge block at {@code address} to {@code newSize}, also huge, for
     * {@code heap} (owned or locked by the caller): the map is resized in place if the addresses
     * after it are free, else its pages move to a fresh reservation; no byte is copied. Counted
     * as a free of the old block and an allocation of the new one, as a copying realloc is.
     *
     * @return the block's address, or 0 if no huge block starts at {@code address} or the system
     *     refused (the block is then unchanged, and the caller copies)
     */
    long resize(ThreadHeap heap, long address, long newSize) {
        Block block = blocks.get(address);
        long length = mappedLength(newSize);
        if (block == null) {
            return 0;
        }
        long growth = length - block.length;
        if (growth > 0 && !space.commitHuge(growth)) {
            throw space.limitReached(growth, newSize);
        }
        long moved = blocks.remove(address, block) ? remap(address, block.length, length) : 0;
        if (moved == 0) {
            if (growth > 0) {
                space.uncommitHuge(growth);
            }
            blocks.putIfAbsent(address, block); // back, unless another thread freed it (its error)
            return 0;
        }
        if (growth < 0) {
            space.uncommitHuge(-growth);
        }
        countFreed(block);
        list(moved, new Block(length, heap, length));
        return moved;
    }

    /** The map at {@code address} resized from {@code from} to {@code to} bytes; 0 if refused. */
    private long remap(long address, long from, long to) {
        return Os.resizeInPlace(address, from, to) ? address : moveIntoFresh(address, from, to, Os.PAGE_SIZE);
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
                dispose(entry.getKey(), block);
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
