package dev.hedra.internal;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A heap: the slab pages of one owner, per size class, and its medium spans.
 *
 * <p>Per class, one page is {@code current}: allocation takes its lowest free block. Every other
 * page of the class with a free block sits in the class's {@code available} queue, which a
 * refill takes from oldest first (see {@link PageQueue}); full pages sit in no queue until a free
 * reaches them. Invariant, for a page {@code p} that is not current: {@code p} is in its class's
 * queue exactly when {@code p.used < p.capacity}. Empty pages stay queued, up to
 * the configured empty-page budget (4 MiB by default), so a heap that empties and refills a page does not
 * return it to the system and take it back each time; past the budget they are released.
 *
 * <p>Owned heaps belong to one platform thread at a time and are touched only by it, without
 * locks or atomics; when the thread dies the heap is adopted whole by a new thread (see
 * {@link HeapRegistry}). Shared heaps serve virtual threads and are used under {@link #lock}.
 * Other threads reach a heap's pages only through {@link RemoteFrees} and reach its medium spans
 * under their lock.
 */
final class ThreadHeap extends PageOwner {

    /** Statistics slots past the small classes. */
    static final int MEDIUM = SizeClasses.MAX_COUNT;
    static final int HUGE = SizeClasses.MAX_COUNT + 1;
    /** Largest size served through {@link #currentBySize}. */
    static final int DIRECT_MAX = 1024;
    /** Arena chunks a heap keeps for the next arena its thread opens (1 MiB). */
    static final int ARENA_CHUNK_CACHE = 16;

    /** The current page of a class that has none; it has no blocks, so allocation falls to refill. */
    private static final SlabPage NO_PAGE = SlabPage.none();

    final SizeClasses classes;
    final HeapRegistry registry;
    final MediumSpans medium;
    /** Non-null for a shared heap: every use holds it. */
    final ReentrantLock lock;
    final boolean shared;
    /** The owner, for an owned heap; guarded by the registry's lock. */
    Thread ownerThread;
    volatile String name;

    private final SlabPage[] current = new SlabPage[SizeClasses.MAX_COUNT]; // owner only
    /**
     * The current page by {@code (size + 7) / 8} for sizes up to {@link #DIRECT_MAX}: malloc and
     * sized free of small sizes skip the class lookup (mimalloc's pages_free_direct). Owner only;
     * kept equal to {@code current[class of the size]} by {@link #setCurrent}. Slot 0, which no
     * size uses, holds the own page of the last local free, or this heap's {@link #noneFreed} page:
     * frees check it first (the next free often lands in the same page, and checking it keeps the
     * address-to-page table off the dependency chain of a free); never a released page (see
     * {@link #release}). Either way slot 0 holds a page this heap owns, so a hot path that
     * reaches this array through the registry's table of them ({@code HedraAllocator.pagesTable})
     * checks by slot 0 that it is its thread's, and finds a page one dependent load sooner than
     * through the heap.
     */
    final SlabPage[] currentBySize = new SlabPage[DIRECT_MAX / 8 + 1];
    /** A page of no blocks owned by this heap: slot 0 of {@link #currentBySize} when no page is the last freed. */
    private final SlabPage noneFreed;

    /** The heap whose {@link #currentBySize} {@code bySize} is: the owner of the page in its slot 0. */
    static ThreadHeap ownerOf(SlabPage[] bySize) {
        return (ThreadHeap) bySize[0].owner;
    }

    /** Per class, the pages with a free block that are not current; owner only. */
    private final PageQueue[] available = new PageQueue[SizeClasses.MAX_COUNT];
    /** Refills in a row, per class, that found few blocks back and no other page; owner only. */
    private final byte[] poorRefills = new byte[SizeClasses.MAX_COUNT];
    private long emptyBytes;                                  // owner only
    private SlabPage[] pages = new SlabPage[16];              // owner only; every live page
    private int nextPeakSample;                               // owner only
    /** Arenas opened minus arenas closed on this heap's thread (any may close elsewhere). */
    long openArenas;                                          // owner only
    /** Closed arenas' chunks, as {@code base | ceil(dirtyBytes / 8)}; owner only. */
    private final long[] arenaChunks = new long[ARENA_CHUNK_CACHE];
    private int arenaChunkCount;                              // owner only
    private int pageCount;                                    // owner only

    // Statistics of the blocks this heap allocated, whoever frees them. Owner only; NOTE:
    // snapshots read them racily, which at worst misses the last few operations (longs do not
    // tear on the 64-bit JVMs that run FFM). A remote free is counted when the owner collects
    // it; snapshots add the ones still waiting (see freesPerSlot). The owner's own frees of
    // small blocks are counted in their pages until a page goes back (a snapshot taken while
    // one goes back may count its frees twice or not at all). Medium and huge frees are
    // counted by MediumSpans and hugeFrees, under their own lock or atomically. Small
    // allocations are not counted: allocations == frees + blocks used in the pages (see
    // allocationsPerSlot), which keeps a counter off the fast path.
    /** Medium and huge allocations (the small slots stay 0). */
    final long[] allocations = new long[SizeClasses.MAX_COUNT + 2];
    final long[] frees = new long[SizeClasses.MAX_COUNT + 2];
    /** Huge blocks of this heap freed, by any thread. */
    final java.util.concurrent.atomic.LongAdder hugeFrees = new java.util.concurrent.atomic.LongAdder();
    long bytesRequested;
    /** Mapped bytes of live huge blocks this heap allocated; any thread frees them. */
    final java.util.concurrent.atomic.LongAdder hugeBytesInUse = new java.util.concurrent.atomic.LongAdder();
    /** Highest {@link #bytesInUse()}, sampled when the heap takes memory (off the fast path). */
    long peakInUse;

    ThreadHeap(AddressSpace space, SizeClasses classes, HeapRegistry registry, String name, boolean shared) {
        super(space);
        this.classes = classes;
        Arrays.fill(current, NO_PAGE);
        Arrays.fill(currentBySize, NO_PAGE);
        Arrays.setAll(available, c -> new PageQueue());
        noneFreed = SlabPage.none(this);
        currentBySize[0] = noneFreed;
        this.registry = registry;
        this.name = name;
        this.shared = shared;
        this.lock = shared ? new ReentrantLock() : null;
        this.medium = new MediumSpans(space, this);
    }

    // ---- small blocks ----------------------------------------------------------------------

    /**
     * Owner: allocates a block for a request of {@code 1 <= size <= DIRECT_MAX} bytes;
     * {@code bySize} is this heap's {@link #currentBySize}, which the caller has in hand. The hot
     * path: one table load to the page, its lowest free bit, one counter. Allocations per class
     * are not counted here: they are frees plus blocks in use, derived when statistics are read.
     */
    long allocateDirect(SlabPage[] bySize, long size) {
        long address = bySize[(int) ((size + 7) >>> 3)].allocate();
        if (address == 0) {
            address = refill(classes.indexOf(size), size);
        }
        bytesRequested += size;
        return address;
    }

    /** Owner: allocates a block of class {@code c} for a request of {@code size} bytes. */
    long allocateSmall(int c, long size) {
        long address = current[c].allocate();
        if (address == 0) {
            address = refill(c, size);
        }
        bytesRequested += size;
        return address;
    }

    /**
     * Owner, slow path: the current page of class {@code c} is full; find or make another.
     *
     * <p>Remote frees are collected first; whether allocation goes on in the current page, which
     * they may have given blocks back, or moves to another page (listed, else fresh) while this
     * one fills up, is {@link #staysOnCurrent}'s rule. Poor refills are counted per class.
     */
    private long refill(int c, long size) {
        refills++;
        SlabPage full = current[c];
        if (remoteFrees.hasPending()) {
            remoteFrees.collect(this);
            if (staysOnCurrent(full, available[c].first() != null, poorRefills, c)) {
                long address = full.allocate();
                if (address != 0) {
                    return address;
                }
            }
        }
        SlabPage page = available[c].first();
        if (page != null) {
            available[c].remove(page);
            if (page.used == 0) {
                emptyBytes -= page.units * AddressSpace.UNIT;
            }
        } else {
            int pageSize = classes.pageSize(c);
            long base;
            try {
                base = space.takeRun(pageSize >>> AddressSpace.UNIT_SHIFT, size);
            } catch (OutOfMemoryError limitReached) {
                return blockAtLimit(full, limitReached);
            }
            page = new SlabPage(this, base, c, classes.blockSize(c), pageSize);
            space.map(page);
            addPage(page);
            if (pageCount >= nextPeakSample) { // O(pages), so every pageCount/64 fresh pages
                nextPeakSample = pageCount + Math.max(1, pageCount >>> 6);
                samplePeak(page.blockSize, true); // the block about to be handed out counts
            }
            registry.onFreshPage();
        }
        if (full.used < full.capacity) {
            available[c].append(full); // left with a few free blocks: queued, as every such page is
        }
        setCurrent(c, page);
        if (Config.CHECKS) {
            page.checkCounts();
            checkListing(full);
        }
        return page.allocate();
    }

    /** Owner: makes {@code page} the current page of class {@code c}, in both tables. */
    private void setCurrent(int c, SlabPage page) {
        current[c] = page;
        int first = classes.firstEighth(c);
        int last = Math.min(classes.lastEighth(c), currentBySize.length - 1);
        for (int e = first; e <= last; e++) {
            currentBySize[e] = page;
        }
    }

    /** Owner: the current page of class {@code c}: a sized free checks it first. */
    SlabPage currentPage(int c) {
        return current[c];
    }

    /**
     * Owner: frees a block of one of this heap's own pages.
     *
     * @return false if {@code address} is not a block start of the page (the caller reports it)
     */
    boolean freeOwn(SlabPage page, long address) {
        int index = page.indexOfSmall(address);
        if (index < 0) {
            return false;
        }
        int used = page.freeLocal(index);
        if (used < 0) {
            throw Errors.doubleFree("allocator '" + registry.allocatorName() + "'", address);
        }
        page.localFrees++; // before gainedSpace, which may give the page back
        // The current page needs nothing here, and it is the page most frees land in: checked
        // before the call, which is then rare enough for C2 to keep out of the caller's loop.
        // used == 0 (emptied) or used == capacity - 1 (was full), in one unsigned comparison:
        // each branch here is copied into every compiled caller (see package-info).
        if (Integer.compareUnsigned(used - 1, page.capacity - 2) >= 0 && page != current[page.classIndex]) {
            gainedSpace(page, used == page.capacity - 1);
        }
        return true;
    }

    /**
     * Frees a small block in {@code page}, found by address, on behalf of this heap's thread:
     * locally if the page is ours, else through the deferred protocol.
     *
     * @return false if {@code address} is not a block start of the page (the caller reports it)
     */
    boolean free(SlabPage page, long address) {
        if (page.owner == this) {
            currentBySize[0] = page;
            return freeOwn(page, address);
        }
        if (page.classIndex < 0) {
            throw Errors.poolBlock(address);
        }
        int index = page.indexOfSmall(address);
        if (index < 0) {
            return false;
        }
        if (!RemoteFrees.freeRemote(page, index)) {
            throw Errors.doubleFree("allocator '" + registry.allocatorName() + "'", address);
        }
        return true; // counted by the owner when it collects the free

    }

    /** Owner: remote frees of {@code page} were collected. */
    @Override
    void onCollected(SlabPage page, int usedBefore, int collected) {
        frees[page.classIndex] += collected;
        boolean wasFull = usedBefore == page.capacity;
        if ((wasFull || page.used == 0) && page != current[page.classIndex]) {
            gainedSpace(page, wasFull);
        }
    }

    /** Owner: {@code page}, not current, was full or became empty: list it, or give it back. */
    private void gainedSpace(SlabPage page, boolean wasFull) {
        if (Config.CHECKS) {
            page.checkCounts();
        }
        if (wasFull) {
            available[page.classIndex].append(page);
        }
        if (page.used == 0) {
            long bytes = page.units * AddressSpace.UNIT;
            if (emptyBytes + bytes <= registry.emptyPageBudget) {
                emptyBytes += bytes;
            } else {
                available[page.classIndex].remove(page);
                release(page);
            }
        }
    }

    /** Owner: a cached arena chunk ({@code base | dirty / 8}), or 0 if none. */
    long popArenaChunk() {
        return arenaChunkCount == 0 ? 0 : arenaChunks[--arenaChunkCount];
    }

    /** Owner: keeps a closed arena's chunk for reuse; false if the cache is full. */
    boolean pushArenaChunk(long encodedChunk) {
        if (arenaChunkCount == arenaChunks.length) {
            return false;
        }
        arenaChunks[arenaChunkCount++] = encodedChunk;
        return true;
    }

    /** Owner: gives the cached arena chunks back to the address space. */
    long releaseArenaChunks() {
        long released = 0;
        while (arenaChunkCount > 0) {
            long chunk = arenaChunks[--arenaChunkCount];
            space.releaseRun(chunk & -AddressSpace.UNIT, 1);
            released += AddressSpace.UNIT;
        }
        return released;
    }

    /** Owner: collects remote frees now; used before statistics and when reclaiming. */
    void collectRemoteFrees() {
        if (remoteFrees.hasPending()) {
            remoteFrees.collect(this);
        }
    }

    /**
     * Owner (or the registry for a dead owner): releases empty pages to the address space, the
     * current ones too if {@code includeCurrent}, and free medium areas. Returns bytes released.
     */
    long releaseEmptyPages(boolean includeCurrent) {
        collectRemoteFrees();
        long released = 0;
        for (int i = pageCount - 1; i >= 0; i--) {
            SlabPage page = pages[i];
            if (page.used != 0) {
                continue;
            }
            int c = page.classIndex;
            if (page == current[c]) {
                if (!includeCurrent) {
                    continue;
                }
                setCurrent(c, NO_PAGE);
            } else {
                available[page.classIndex].remove(page);
                emptyBytes -= page.units * AddressSpace.UNIT;
            }
            released += page.units * AddressSpace.UNIT;
            release(page);
        }
        if (includeCurrent) {
            released += medium.releaseFreeAreas();
        }
        if (Config.CHECKS) {
            checkPages();
        }
        return released + releaseArenaChunks();
    }

    /**
     * Checked mode ({@link Config#CHECKS}), owner: the class comment's invariant for
     * {@code page}, if it is a live page that is not current: it is listed in its class's queue
     * exactly when it has a free block.
     */
    private void checkListing(SlabPage page) {
        if (page.isReleased() || page == current[page.classIndex]) {
            return;
        }
        boolean listed = available[page.classIndex].contains(page);
        if (listed != page.used < page.capacity) {
            throw page.broken((listed ? "listed" : "not listed") + " with " + page.used + " of "
                    + page.capacity + " blocks used");
        }
    }

    /**
     * Checked mode, owner, O(pages): every page's counts and listing, and {@link #emptyBytes}
     * equal to the bytes of the empty pages that are not current.
     */
    private void checkPages() {
        long empty = 0;
        for (int i = 0; i < pageCount; i++) {
            SlabPage page = pages[i];
            page.checkCounts();
            checkListing(page);
            if (page.used == 0 && page != current[page.classIndex]) {
                empty += page.units * AddressSpace.UNIT;
            }
        }
        if (empty != emptyBytes) {
            throw new AssertionError("heap '" + name + "': " + emptyBytes
                    + " bytes of empty pages counted, " + empty + " found");
        }
    }

    /**
     * Under the lock of a first-class heap being closed: frees every block at once and gives all
     * memory back. Live blocks are counted as freed, so the statistics still balance.
     */
    void destroy(HugeBlocks huge) {
        collectRemoteFrees();
        for (int i = 0; i < pageCount; i++) {
            SlabPage page = pages[i];
            frees[page.classIndex] += page.used; // allocations stay frees + used: all freed now
            foldFrees(page);
            page.retire();
            space.unmap(page);
            space.releaseRun(page.base, page.units);
        }
        medium.releaseAll(); // counts its live blocks as freed
        huge.freeAllOf(this);
        releaseArenaChunks();
        forgetAll();
    }

    /** Drops every page without giving memory back: the address space is being unmapped. */
    void forgetAll() {
        for (int i = 0; i < pageCount; i++) {
            pages[i].retire(); // no purge of memory about to be unmapped
            foldFrees(pages[i]);
        }
        arenaChunkCount = 0;
        Arrays.fill(pages, null);
        pageCount = 0;
        Arrays.fill(current, NO_PAGE);
        Arrays.fill(currentBySize, NO_PAGE);
        currentBySize[0] = noneFreed;
        for (PageQueue queue : available) {
            queue.clear();
        }
        emptyBytes = 0;
    }

    /** Owner: moves the frees counted in {@code page} to this heap's count, before it drops the page. */
    private void foldFrees(SlabPage page) {
        frees[page.classIndex] += page.localFrees;
        page.localFrees = 0;
    }

    private void release(SlabPage page) {
        if (Config.CHECKS && (page.used != 0 || page == current[page.classIndex])) {
            throw page.broken("given back with " + page.used + " blocks used"
                    + (page == current[page.classIndex] ? ", as its class's current page" : ""));
        }
        page.retire();
        foldFrees(page);
        if (currentBySize[0] == page) {
            currentBySize[0] = noneFreed;
        }
        int last = --pageCount;
        for (int i = last; i >= 0; i--) { // recent pages are released most often
            if (pages[i] == page) {
                pages[i] = pages[last];
                pages[last] = null;
                break;
            }
        }
        space.unmap(page);
        space.releaseRun(page.base, page.units);
    }

    private void addPage(SlabPage page) {
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, pageCount * 2);
        }
        pages[pageCount++] = page;
    }

    // ---- statistics --------------------------------------------------------------------------

    /** The in-use bytes this heap last sampled, for the allocator's merged peak. */
    volatile long lastSampledInUse;
    /** Small blocks' bytes at the last full sample; owner only. */
    private long sampledSmallInUse;

    /**
     * Owner, on a slow path: records this heap's peak and offers the allocator's. A full sample
     * (after a fresh slab page, {@code about} the block that needed it) walks the pages; a
     * medium or huge allocation reuses the last small figure, so it stays O(1).
     */
    void samplePeak(long about, boolean full) {
        if (full) {
            sampledSmallInUse = smallBytesInUse() + about;
        }
        long inUse = sampledSmallInUse + medium.bytesInUse() + hugeBytesInUse.sum();
        lastSampledInUse = inUse;
        peakInUse = Math.max(peakInUse, inUse);
        registry.samplePeak();
    }

    /** Any thread, racy, O(pages): usable bytes of the live small blocks in own pages. */
    private long smallBytesInUse() {
        return sumOverPages(page -> (long) (page.used - page.pendingDeferred()) * page.blockSize);
    }

    /**
     * Any thread, racy: adds to {@code perClass} each class's frees still counted in its pages:
     * the owner's ({@link SlabPage#localFrees}) and the remote ones not yet collected.
     */
    private void addPageFrees(long[] perClass) {
        SlabPage[] snapshot = pages;
        int count = Math.min(pageCount, snapshot.length);
        for (int i = 0; i < count; i++) {
            SlabPage page = snapshot[i];
            if (page != null) {
                perClass[page.classIndex] += page.localFrees + page.pendingDeferred();
            }
        }
    }

    /** Any thread, racy: allocations per statistics slot, the small ones derived. */
    long[] allocationsPerSlot() {
        long[] perSlot = allocations.clone();
        for (int c = 0; c < classes.count(); c++) {
            perSlot[c] = frees[c];
        }
        SlabPage[] snapshot = pages;
        int count = Math.min(pageCount, snapshot.length);
        for (int i = 0; i < count; i++) {
            SlabPage page = snapshot[i];
            if (page != null) {
                perSlot[page.classIndex] += page.localFrees + page.used;
            }
        }
        return perSlot;
    }

    /** Any thread, racy: frees of this heap's blocks per statistics slot, pending ones included. */
    long[] freesPerSlot() {
        long[] perSlot = frees.clone();
        addPageFrees(perSlot);
        perSlot[MEDIUM] += medium.frees();
        perSlot[HUGE] += hugeFrees.sum();
        return perSlot;
    }

    /**
     * Any thread, racy, O(pages): usable bytes of the live blocks in this heap's own pages (remote
     * frees not yet collected subtracted), medium spans and huge blocks. For statistics.
     */
    long bytesInUse() {
        return smallBytesInUse() + medium.bytesInUse() + hugeBytesInUse.sum();
    }

    int pageCount() {
        return pageCount;
    }

    /** Any thread, racy: bytes of this heap's pages whose memory went back while it was idle. */
    long purgedIdleBytes() {
        return sumOverPages(page -> page.isPurgedIdle() ? page.units * AddressSpace.UNIT : 0);
    }

    /**
     * Any thread but the owner, racy: gives back the memory of every page whose blocks were all
     * freed by other threads ({@link SlabPage#tryPurgeIdle}); for {@link IdlePages#sweep}.
     */
    long purgeIdlePages() {
        return sumOverPages(SlabPage::tryPurgeIdle);
    }

    /** Any thread, racy: {@code perPage} summed over a snapshot of this heap's pages. */
    private long sumOverPages(java.util.function.ToLongFunction<SlabPage> perPage) {
        long sum = 0;
        SlabPage[] snapshot = pages;
        int count = Math.min(pageCount, snapshot.length);
        for (int i = 0; i < count; i++) {
            SlabPage page = snapshot[i];
            if (page != null) {
                sum += perPage.applyAsLong(page);
            }
        }
        return sum;
    }
}
