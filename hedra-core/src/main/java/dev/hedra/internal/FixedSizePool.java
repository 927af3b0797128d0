package dev.hedra.internal;

import dev.hedra.FixedPool;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link FixedPool}: slab pages of one block size, like a {@link ThreadHeap} with a single
 * class and no size lookup. The page holding the current allocations is {@code current}; other
 * pages with free blocks wait in a {@link PageQueue}; empty pages are kept up to
 * {@link #EMPTY_PAGE_BUDGET} bytes. Invariant, for a page that is not current: it is in the queue
 * exactly when {@code used < capacity}.
 *
 * <p>The owner thread (or, for a shared pool, whoever holds {@link #lock}) touches the pages
 * with plain accesses; other threads free through {@link RemoteFrees}.
 */
final class FixedSizePool extends PageOwner implements FixedPool {

    static final long MAX_BLOCK = 1L << 20;
    private static final long EMPTY_PAGE_BUDGET = 1L << 20;
    /** Blocks a page holds if it stays within {@link #EMPTY_PAGE_BUDGET}; see {@link #pageSizeFor}. */
    private static final int BLOCKS_PER_PAGE = 1024;

    private final String name;
    private final int blockSize;
    /** log2 of the block size if it is a power of two (blocks are then found by a shift), else -1. */
    private final int shift;
    private final int alignment;
    private final int pageSize;
    private final SlabPage empty;
    /** The thread that allocates; null for a shared pool. */
    private final Thread owner;
    /** Non-null for a shared pool: every use holds it. */
    private final ReentrantLock lock;

    // owner only (or under the lock)
    private SlabPage current;
    /** Poor refills in a row (see {@link PageOwner#staysOnCurrent}); owner only. */
    private final byte[] poorRefills = new byte[1];
    private SlabPage lastFreed;
    private final PageQueue available = new PageQueue();
    private SlabPage[] pages = new SlabPage[8];
    private int pageCount;
    private long emptyBytes;
    private boolean closed;

    /** Told when this pool closes, so the allocator stops tracking it. */
    private final java.util.function.Consumer<FixedSizePool> onClose;

    FixedSizePool(AddressSpace space, long blockSize, long alignment, boolean shared,
            java.util.function.Consumer<FixedSizePool> onClose) {
        super(space);
        this.onClose = onClose;
        if (blockSize <= 0 || blockSize > MAX_BLOCK) {
            throw new IllegalArgumentException("pool block size must be from 1 to " + MAX_BLOCK + ": " + blockSize);
        }
        if (alignment < 8 || alignment > AddressSpace.UNIT || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("pool alignment must be a power of two from 8 to "
                    + AddressSpace.UNIT + ": " + alignment);
        }
        this.alignment = (int) alignment;
        this.blockSize = (int) ((blockSize + alignment - 1) & -alignment);
        this.pageSize = pageSizeFor(this.blockSize);
        this.shift = Integer.bitCount(this.blockSize) == 1 ? Integer.numberOfTrailingZeros(this.blockSize) : -1;
        this.name = "of " + this.blockSize + "-byte blocks";
        this.empty = new SlabPage(this, 0, -1, this.blockSize, 0);
        this.current = empty;
        this.lastFreed = empty;
        this.owner = shared ? null : Thread.currentThread();
        this.lock = shared ? new ReentrantLock() : null;
    }

    /**
     * The pool's page size for blocks of {@code blockSize} bytes: a power of two that holds at
     * least 64 blocks, as a heap's page does, and up to {@link #BLOCKS_PER_PAGE} while the page
     * stays within {@link #EMPTY_PAGE_BUDGET} (so an emptied page can still be kept); at most a
     * medium area (4 MiB), at least a unit.
     *
     * <p>Why more blocks than a heap's page: a pool is one size, so it does not multiply its
     * pages by the classes in use, and its memory is committed as blocks are touched, whatever
     * the page size. Frees then find their page among fewer: in a batch of 1,024 blocks of 256 B
     * freed in random order, 64 KiB pages (256 blocks) sent about half the frees past the current
     * and the last freed page to the table, after a branch that guessed wrong half the time; with
     * 256 KiB pages the batch took 4.0-4.5 ns per block instead of 7.6-8.7 (PoolBenchmark,
     * interleaved forks). The cost is that memory goes back in larger pieces: a page returns to
     * the system only once all its blocks are free.
     */
    static int pageSizeFor(long blockSize) {
        long forMinimum = Long.highestOneBit(blockSize * 64 - 1) << 1;
        long forMany = Math.min(Long.highestOneBit(blockSize * BLOCKS_PER_PAGE - 1) << 1,
                EMPTY_PAGE_BUDGET);
        long wanted = Math.max(AddressSpace.UNIT, Math.max(forMinimum, forMany));
        return (int) Math.min(wanted, AddressSpace.UNIT * AddressSpace.AREA_UNITS);
    }

    @Override
    public long blockSize() {
        return blockSize;
    }

    @Override
    public long alignment() {
        return alignment;
    }

    @Override
    public long allocate() {
        if (owner != Thread.currentThread()) {
            return allocateShared();
        }
        long address = current.allocate();
        return address != 0 ? address : refill();
    }

    private long allocateShared() {
        if (lock == null) {
            throw notOwner();
        }
        lock.lock();
        try {
            long address = current.allocate();
            return address != 0 ? address : refill();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void allocate(long[] addresses, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, addresses.length);
        if (owner == Thread.currentThread()) {
            allocateAll(addresses, offset, offset + count);
            return;
        }
        if (lock == null) {
            throw notOwner();
        }
        lock.lock();
        try {
            allocateAll(addresses, offset, offset + count);
        } finally {
            lock.unlock();
        }
    }

    /** Owner (or under the lock): fills {@code addresses[from..to)} page by page. */
    private void allocateAll(long[] addresses, int from, int to) {
        int i = from;
        try {
            while (i < to) {
                i = current.allocateInto(addresses, i, to);
                if (i < to) {
                    addresses[i] = refill(); // the page is full: the next one, and its first block
                    i++;
                }
            }
        } catch (OutOfMemoryError | RuntimeException failed) {
            freeAll(addresses, from, i); // nothing is lost: the blocks taken so far go back
            throw failed;
        }
    }

    private WrongThreadException notOwner() {
        return new WrongThreadException("pool " + name + " is owned by " + owner
                + "; only its owner allocates (any thread may free)");
    }

    @Override
    public MemorySegment allocateSegment() {
        return MemorySegment.ofAddress(allocate()).reinterpret(blockSize);
    }

    /**
     * Owner, slow path: the current page is full. As in {@link ThreadHeap}'s refill, blocks that
     * other threads freed back into the current page are taken only when they are a quarter of
     * it; fewer mean a consumer is still freeing there, and allocating behind it would collect
     * again every few blocks. Another listed page is taken then, and this one fills up
     * meanwhile; with none listed, the few blocks serve unless this is the
     * {@link PageOwner#POOR_REFILLS}th poor refill in a row, which takes a fresh page.
     */
    private long refill() {
        if (closed) {
            throw new IllegalStateException("pool " + name + " is closed");
        }
        refills++;
        SlabPage full = current;
        if (remoteFrees.hasPending()) {
            remoteFrees.collect(this);
            if (staysOnCurrent(full, available.first() != null, poorRefills, 0)) {
                long address = full.allocate();
                if (address != 0) {
                    return address;
                }
            }
        }
        SlabPage page = available.first();
        if (page != null) {
            available.remove(page);
            if (page.used == 0) {
                emptyBytes -= pageSize;
            }
        } else {
            long base;
            try {
                base = space.takeRun(pageSize >>> AddressSpace.UNIT_SHIFT, blockSize);
            } catch (OutOfMemoryError limitReached) {
                return blockAtLimit(full, limitReached);
            }
            page = new SlabPage(this, base, -1, blockSize, pageSize);
            space.map(page);
            if (pageCount == pages.length) {
                pages = Arrays.copyOf(pages, pageCount * 2);
            }
            pages[pageCount++] = page;
        }
        if (full.used < full.capacity) {
            available.append(full); // left with a few free blocks: queued, as every such page is
        }
        current = page;
        return page.allocate();
    }

    @Override
    public void free(long address) {
        if (owner != Thread.currentThread()) {
            freeNotOwner(address);
            return;
        }
        freeOwned(address);
    }

    @Override
    public void free(long[] addresses, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, addresses.length);
        if (owner == Thread.currentThread()) {
            freeAll(addresses, offset, offset + count);
        } else if (lock != null) {
            lock.lock();
            try {
                freeAll(addresses, offset, offset + count);
            } finally {
                lock.unlock();
            }
        } else {
            for (int i = offset; i < offset + count; i++) {
                freeNotOwner(addresses[i]); // deferred to the owner, block by block
            }
        }
    }

    /**
     * Owner (or under the lock): frees {@code addresses[from..to)} in runs, each run the
     * consecutive addresses that lie in one page, found as {@link #freeOwned} finds a page.
     */
    private void freeAll(long[] addresses, int from, int to) {
        int i = from;
        while (i < to) {
            long address = addresses[i];
            SlabPage page = pageOf(address);
            int usedBefore = page.used;
            int next = page.freeRun(addresses, i, to, shift);
            if (next == i) {
                freeOwned(address); // not a block start, or already free: it throws
                next = i + 1;       // (not reached unless the run's checks and freeOwned's differ)
            } else if ((usedBefore == page.capacity || page.used == 0) && page != current) {
                gainedSpace(page, usedBefore == page.capacity);
            }
            i = next;
        }
    }

    /**
     * Owner (or under the lock): the page of this pool that holds {@code address}, found in the
     * current page, then the last page freed into, then the table (which throws if none does).
     */
    private SlabPage pageOf(long address) {
        SlabPage page = current;
        if (!page.holds(address)) {
            page = lastFreed;
            if (!page.holds(address)) {
                page = ownPageAt(address);
                lastFreed = page;
            }
        }
        return page;
    }

    /** Owner (or under the lock). */
    private void freeOwned(long address) {
        SlabPage page = pageOf(address);
        int index = indexIn(page, address);
        if (index < 0) {
            throw notABlock(page, address);
        }
        int used = page.freeLocal(index);
        if (used < 0) {
            throw Errors.doubleFree("pool " + name, address);
        }
        // As in ThreadHeap.freeOwn: the current page needs nothing, and checking it here keeps
        // the call rare enough for C2 to leave the caller's loop alone.
        boolean wasFull = used == page.capacity - 1;
        if ((used == 0 || wasFull) && page != current) {
            gainedSpace(page, wasFull);
        }
    }

    private void freeNotOwner(long address) {
        if (lock != null) {
            lock.lock();
            try {
                freeOwned(address);
            } finally {
                lock.unlock();
            }
            return;
        }
        SlabPage page = ownPageAt(address);
        int index = indexIn(page, address);
        if (index < 0) {
            throw notABlock(page, address);
        }
        if (!RemoteFrees.freeRemote(page, index)) {
            throw Errors.doubleFree("pool " + name, address);
        }
    }

    /** The index of the block at {@code address} in {@code page}, or -1 if no block starts there. */
    private int indexIn(SlabPage page, long address) {
        return shift >= 0 ? page.indexOfPowerOfTwo(address, shift) : page.indexOf(address);
    }

    private SlabPage ownPageAt(long address) {
        SlabPage page = space.slabPageAt(address);
        if (page == null || page.owner != this) {
            if (closed) {
                throw new IllegalStateException("pool " + name + " is closed");
            }
            throw Errors.notInPool(name, address);
        }
        return page;
    }

    private RuntimeException notABlock(SlabPage page, long address) {
        long start = page.blockStartOf(address);
        return start < 0 ? Errors.notInPool(name, address) : Errors.interior(address, start);
    }

    @Override
    public void free(MemorySegment block) {
        if (!block.isNative() || block.byteSize() > blockSize) {
            throw Errors.notInPool(name, block.address());
        }
        free(block.address());
    }

    @Override
    void onCollected(SlabPage page, int usedBefore, int collected) {
        boolean wasFull = usedBefore == page.capacity;
        if ((wasFull || page.used == 0) && page != current) {
            gainedSpace(page, wasFull);
        }
    }

    /** {@code page}, not current, was full or became empty: list it, or give it back. */
    private void gainedSpace(SlabPage page, boolean wasFull) {
        if (wasFull) {
            available.append(page);
        }
        if (page.used == 0) {
            if (emptyBytes + pageSize <= EMPTY_PAGE_BUDGET) {
                emptyBytes += pageSize;
            } else {
                available.remove(page);
                release(page);
            }
        }
    }

    private void release(SlabPage page) {
        page.retire();
        if (lastFreed == page) {
            lastFreed = empty;
        }
        for (int i = pageCount - 1; i >= 0; i--) {
            if (pages[i] == page) {
                pages[i] = pages[--pageCount];
                pages[pageCount] = null;
                break;
            }
        }
        space.unmap(page);
        space.releaseRun(page.base, page.units);
    }

    /** Counted from the pages rather than on every operation; racy unless called by the owner. */
    @Override
    public long liveBlocks() {
        if (lock != null) {
            lock.lock();
        }
        try {
            long live = 0;
            for (int i = 0; i < pageCount; i++) {
                live += pages[i].used - pages[i].pendingDeferred();
            }
            return live;
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        if (lock != null) {
            lock.lock();
        } else if (owner != Thread.currentThread() && owner.isAlive()) {
            // A dead owner's pool may be closed by anyone: isAlive() == false orders its writes.
            throw new WrongThreadException("pool " + name + " is owned by " + owner
                    + "; only its owner closes it while it lives");
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            remoteFrees.collect(this);
            while (pageCount > 0) {
                release(pages[pageCount - 1]);
            }
            current = empty;
            lastFreed = empty;
            available.clear();
            emptyBytes = 0;
            onClose.accept(this);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    /**
     * The allocator is closing and unmapping everything: forget the pages without giving them
     * back, so that the next use fails cleanly instead of touching unmapped memory. Like the
     * allocator's close, this must not race with the pool's use.
     */
    void invalidate() {
        closed = true;
        current = empty;
        lastFreed = empty;
        available.clear();
        Arrays.fill(pages, null);
        pageCount = 0;
        emptyBytes = 0;
    }

    @Override
    public String toString() {
        return "Hedra pool " + name + ": " + liveBlocks() + " live blocks in " + pageCount + " pages"
                + (closed ? " (closed)" : "");
    }
}
