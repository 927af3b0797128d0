package dev.hedra.internal;

import dev.hedra.AllocatorStats;
import dev.hedra.FixedPool;
import dev.hedra.HedraArena;
import dev.hedra.NativeAllocator;
import dev.hedra.NativeHeap;
import java.lang.foreign.MemorySegment;

/**
 * The allocator: validates arguments once, then routes each call by size to the calling thread's
 * heap (small blocks), the heap's medium spans, or the huge blocks. See {@code package-info} for
 * the design.
 *
 * <p>Each public method looks up the calling thread's heap; a shared heap (virtual threads) is
 * used under its lock, an owned heap without one.
 */
public final class HedraAllocator implements NativeAllocator {

    /** Largest size accepted: far beyond any machine, and small enough that sums cannot overflow. */
    static final long MAX_SIZE = 1L << 46;
    /** {@code (size - 1) >>> DIRECT_SHIFT == 0} admits the sizes of {@link ThreadHeap#DIRECT_MAX}. */
    private static final int DIRECT_SHIFT = Integer.numberOfTrailingZeros(ThreadHeap.DIRECT_MAX);
    private static final long DEFAULT_REGION = 64L << 30;
    private static final long MIN_REGION = 1L << 30;
    /** All of memory as one segment, to copy and fill between raw addresses without objects. */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final String name;
    private final boolean closable;
    private final int minimumAlignment;
    private final SizeClasses classes;
    /** {@code (size - 1) >>> smallShift == 0} admits exactly the small sizes. */
    private final int smallShift;
    private final AddressSpace space;
    private final HeapRegistry heaps;
    private final HugeBlocks huge;
    /**
     * The registry's thread-id table, mirrored here so the hot path saves a load. NOTE: plain; a
     * stale table only sends a thread to the slow path, which finds its heap anyway.
     */
    ThreadHeap[] threadTable;
    /**
     * The same table's heaps' {@link ThreadHeap#currentBySize} arrays, slot for slot: the sized
     * hot paths (sizes up to {@link ThreadHeap#DIRECT_MAX}) reach the current page through it one
     * dependent load sooner, which counts where C2 cannot hoist the lookup out of the caller's
     * loop (see {@code package-info}). Plain, like {@link #threadTable}.
     */
    SlabPage[][] pagesTable;
    /** Arenas opened and not yet closed: their memory must outlive {@link #close()}'s unmapping. */
    /** Pools not yet closed: {@link #close()} invalidates them before unmapping their pages. */
    private final java.util.Set<FixedSizePool> openPools = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The statistics' JMX bean, if the configuration asks for one; unregistered on close. */
    private JmxStats jmx;
    /** The purge delay's timer, if the configuration asks for one; cancelled on close. */
    private final BackgroundPurge.Task purgeTask;
    /**
     * Held by {@link #close} and by the timer's ticks, so that they never overlap. A private
     * object rather than the allocator itself: code that synchronizes on the allocator must not
     * hold up the timer thread, which every allocator shares.
     */
    private final Object lifecycle = new Object();

    private HedraAllocator(Config config, boolean closable) {
        this.name = config.name();
        this.closable = closable;
        this.minimumAlignment = config.minimumAlignment();
        this.classes = new SizeClasses(config.minimumAlignment(), config.classesPerDoubling(),
                config.largestSmallSize(), config.slabPageSize(), config.largestSlabPageSize());
        this.smallShift = classes.smallShift();
        long region = config.reservationSize() > 0 ? config.reservationSize()
                : config.memoryLimit() == Long.MAX_VALUE ? DEFAULT_REGION
                : Math.min(DEFAULT_REGION, Math.max(MIN_REGION, roundUp(2 * config.memoryLimit(), 1L << 22)));
        this.space = new AddressSpace(config, region);
        this.heaps = new HeapRegistry(space, classes, name, config.emptyPageBudget(), this);
        this.huge = new HugeBlocks(space, name, config.purgeDelayMillis(), config.hugePages());
        space.onPressure(() -> {
            huge.unmapRetained();
            heaps.reclaim();
        });
        // Last: scheduling the ticks hands the timer thread this allocator with every field set.
        this.purgeTask = config.backgroundPurge() ? BackgroundPurge.start(this, config.purgeDelayMillis()) : null;
    }

    /**
     * The process-wide allocator behind {@code Hedra.allocator()}. If its JMX registration fails
     * (another allocator took the name "default"), it works on unregistered and says so on the
     * {@code dev.hedra} system logger: failing here would fail every use of Hedra.
     */
    public static NativeAllocator createDefault() {
        Config config = Config.defaults("default");
        HedraAllocator allocator = new HedraAllocator(config, false);
        if (config.jmx()) {
            try {
                allocator.jmx = JmxStats.register(allocator, allocator.name);
            } catch (IllegalStateException | IllegalArgumentException failed) {
                System.getLogger("dev.hedra").log(System.Logger.Level.WARNING,
                        "the process-wide allocator's statistics are not in JMX: " + failed.getMessage());
            }
        }
        return allocator;
    }

    /** A closable allocator from the builder; registered with JMX if configured (else nothing is kept). */
    public static NativeAllocator create(Config config) {
        HedraAllocator allocator = new HedraAllocator(config, true);
        if (config.jmx()) {
            try {
                allocator.jmx = JmxStats.register(allocator, allocator.name);
            } catch (RuntimeException failed) {
                allocator.close();
                throw failed;
            }
        }
        return allocator;
    }

    // ---- allocation --------------------------------------------------------------------------

    /**
     * The calling thread's heap: a slot of the thread-id table checked by owner, else the
     * registry's slow path. Inlined into every public method, so it is kept tiny; the table is
     * read from this object to save a dependent load.
     */
    private ThreadHeap currentHeap() {
        Thread thread = Thread.currentThread();
        ThreadHeap[] table = threadTable;
        ThreadHeap heap = table[(int) thread.threadId() & (table.length - 1)];
        if (heap != null && heap.ownerThread == thread) {
            return heap;
        }
        return heaps.currentSlow(thread);
    }

    // The fast paths below are shaped to inline: the common case in a few lines, everything
    // else (locked heaps, medium and huge, errors) in methods called out of line.

    /**
     * The calling thread's heap's {@link ThreadHeap#currentBySize}, or null if the thread's slot
     * holds another thread's (the caller then takes {@link #currentHeap()}'s way). Slot 0 of the
     * array is a page owned by the heap, so the owner check needs no load through the heap first.
     */
    private SlabPage[] currentPagesBySize(Thread thread) {
        SlabPage[][] table = pagesTable;
        SlabPage[] pages = table[(int) thread.threadId() & (table.length - 1)];
        return pages != null && ThreadHeap.ownerOf(pages).ownerThread == thread ? pages : null;
    }

    @Override
    public long malloc(long size) {
        // One unsigned comparison admits 1..1024 and rejects zero and negative sizes.
        if ((size - 1) >>> DIRECT_SHIFT == 0) {
            SlabPage[] pages = currentPagesBySize(Thread.currentThread());
            if (pages != null) {
                return ThreadHeap.ownerOf(pages).allocateDirect(pages, size);
            }
        }
        return mallocSlow(currentHeap(), size);
    }

    private long mallocSlow(ThreadHeap heap, long size) {
        if ((size - 1) >>> smallShift == 0 && !heap.shared) {
            return heap.allocateSmall(classes.indexOf(size), size);
        }
        if (heap.shared) {
            heap.lock.lock();
            try {
                return malloc(heap, size);
            } finally {
                heap.lock.unlock();
            }
        }
        return malloc(heap, size);
    }

    private long malloc(ThreadHeap heap, long size) {
        // One unsigned comparison admits 1..smallMax and rejects zero and negative sizes.
        if ((size - 1) >>> smallShift == 0) {
            return heap.allocateSmall(classes.indexOf(size), size);
        }
        return allocateLarge(heap, size, minimumAlignment);
    }

    @Override
    public long malloc(long size, long alignment) {
        ThreadHeap heap = currentHeap();
        // Alignments up to 16 on small sizes: most classes already give them.
        if ((size - 1) >>> smallShift == 0 && alignment > 0 && alignment <= 16 && !heap.shared
                && (alignment & (alignment - 1)) == 0) {
            int c = classes.indexOf(size, alignment);
            if (c >= 0) {
                return heap.allocateSmall(c, size);
            }
        }
        if (heap.shared) {
            heap.lock.lock();
            try {
                return mallocIn(heap, size, alignment);
            } finally {
                heap.lock.unlock();
            }
        }
        return mallocIn(heap, size, alignment);
    }

    /** {@code malloc(size)} in {@code heap}, which the caller owns or has locked. */
    long mallocIn(ThreadHeap heap, long size) {
        return malloc(heap, size);
    }

    /** {@code malloc(size, alignment)} in {@code heap}, which the caller owns or has locked. */
    long mallocIn(ThreadHeap heap, long size, long alignment) {
        checkAlignment(alignment);
        if (alignment <= minimumAlignment) {
            return malloc(heap, size);
        }
        checkSize(size);
        if (size > MAX_SIZE - alignment) {
            throw Errors.overflow(size, alignment);
        }
        return allocateAligned(heap, size, alignment);
    }

    private long allocateAligned(ThreadHeap heap, long size, long alignment) {
        int c = classes.indexOf(size, alignment);
        if (c >= 0) {
            return heap.allocateSmall(c, size);
        }
        return allocateLarge(heap, size, alignment);
    }

    /** Medium or huge, for {@code size} above the small classes or an alignment they lack. */
    private long allocateLarge(ThreadHeap heap, long size, long alignment) {
        checkSize(size);
        long address;
        int kind;
        if (MediumSpans.fits(size, alignment)) {
            address = heap.medium.allocate(size, alignment);
            kind = ThreadHeap.MEDIUM;
        } else {
            address = huge.allocate(heap, size, alignment);
            kind = ThreadHeap.HUGE;
        }
        countLarge(heap, kind, size);
        return address;
    }

    /** Counts a medium or huge block of {@code size} bytes that {@code heap} now holds. */
    private static void countLarge(ThreadHeap heap, int kind, long size) {
        heap.allocations[kind]++;
        heap.bytesRequested += size;
        if (kind == ThreadHeap.HUGE || heap.medium.tookAreaSinceSample()) {
            heap.samplePeak(0, false); // only when memory grew: a new area or a huge map
        }
    }

    @Override
    public long calloc(long size) {
        long address = malloc(size);
        zero(address, size);
        return address;
    }

    /** Zeroes a new block; a huge block only if its map was reused (fresh maps read zero). */
    void zero(long address, long size) {
        if (size <= MediumSpans.MAX_SIZE) {
            EVERYTHING.asSlice(address, size).fill((byte) 0);
        } else {
            huge.zeroIfReused(address, size);
        }
    }

    @Override
    public long realloc(long address, long newSize) {
        return reallocIn(currentHeap(), address, newSize);
    }

    /**
     * {@code realloc} whose new block comes from {@code heap}: the caller's own, or a shared heap,
     * which this locks (as {@link #freeSlow} does; a caller may hold its lock already). One method
     * on purpose: at over 325 bytes of bytecode C2 calls it rather than inlining it into every
     * caller (see "Shaped for C2" in package-info; {@code InliningShapeTest}).
     */
    long reallocIn(ThreadHeap heap, long address, long newSize) {
        if (heap.shared) {
            heap.lock.lock();
        }
        try {
            if (address == 0) {
                return mallocIn(heap, newSize);
            }
            checkSize(newSize);
            // The checks of usableSize and sizeMatches with one lookup: the block's usable size,
            // and whether a sized free with newSize would accept the block, which then stays.
            long usable;
            boolean stays;
            SlabPage page = space.slabPageAt(address);
            if (page != null) {
                usable = liveSmallSize(page, address);
                stays = smallSizeMatches(page.classIndex, newSize);
            } else {
                MediumArea area = space.mediumAreaAt(address);
                boolean large = newSize > classes.smallMax();
                if (area != null) {
                    usable = area.owner.usableSize(area, address);
                    stays = large && MediumSpans.granules(newSize) << MediumArea.GRANULE_SHIFT == usable;
                    // Medium to medium in the heap's own area: grown into a free neighbour or
                    // shrunk where it is, no copy. (Another heap's area keeps its counts to itself.)
                    if (!stays && large && area.owner == heap.medium && MediumSpans.fits(newSize, minimumAlignment)
                            && area.owner.resizeInPlace(area, address, newSize)) {
                        countLarge(heap, ThreadHeap.MEDIUM, newSize);
                        return address;
                    }
                } else {
                    usable = huge.usableSize(address);
                    if (usable < 0) {
                        throw notABlock(address);
                    }
                    stays = large && HugeBlocks.mappedLength(newSize) == usable;
                    if (!stays && !MediumSpans.fits(newSize, minimumAlignment)) {
                        long resized = huge.resize(heap, address, newSize); // huge to huge: pages move, no copy
                        if (resized != 0) {
                            countLarge(heap, ThreadHeap.HUGE, newSize);
                            return resized;
                        }
                    }
                }
            }
            if (stays) {
                return address;
            }
            long moved = mallocIn(heap, newSize);
            MemorySegment.copy(EVERYTHING, address, EVERYTHING, moved, Math.min(usable, newSize));
            try {
                freeSlow(heap, page, address, -1);
            } catch (RuntimeException e) {
                freeIn(heap, moved, -1);
                throw e;
            }
            return moved;
        } finally {
            if (heap.shared) {
                heap.lock.unlock();
            }
        }
    }

    // ---- free --------------------------------------------------------------------------------

    @Override
    public void free(long address) {
        // The last page this thread freed into is checked first: its fields do not depend on the
        // address, so the check overlaps the work that produced the address.
        ThreadHeap heap;
        SlabPage[] bySize = currentPagesBySize(Thread.currentThread());
        if (bySize != null) {
            heap = ThreadHeap.ownerOf(bySize);
        } else {
            heap = currentHeap();
            bySize = heap.currentBySize;
        }
        SlabPage page = bySize[0]; // the page of the last local free
        if (!page.holds(address)) {
            page = space.slabPageAt(address);
            if (page == null || page.owner != heap || heap.shared) {
                freeLookup(heap, address); // another heap's or a pool's, medium, huge, unknown; locked
                return;
            }
            bySize[0] = page; // the next free will likely land here too (a store, not a call: see freeSmall)
        }
        // One call site of freeOwn for both ways to the page, as in free(address, size).
        if (!heap.shared && heap.freeOwn(page, address)) {
            return;
        }
        freeLookup(heap, address); // a shared heap's block, or not a block start (it throws)
    }

    private void freeLookup(ThreadHeap heap, long address) {
        SlabPage page = space.slabPageAt(address);
        if (page != null && !heap.shared) {
            if (!heap.free(page, address)) {
                throw notABlockStart(page, address);
            }
            return;
        }
        freeSlow(heap, page, address, -1);
    }

    @Override
    public void free(long address, long size) {
        ThreadHeap heap;
        SlabPage page;
        SlabPage[] bySize;
        if ((size - 1) >>> DIRECT_SHIFT == 0 && (bySize = currentPagesBySize(Thread.currentThread())) != null) {
            heap = ThreadHeap.ownerOf(bySize);
            page = bySize[(int) ((size + 7) >>> 3)];
        } else {
            heap = currentHeap();
            if ((size - 1) >>> smallShift != 0 || heap.shared) {
                freeSizedLookup(heap, address, size); // medium, huge, a shared heap's, or a bad size
                return;
            }
            page = heap.currentPage(classes.indexOf(size));
            bySize = heap.currentBySize;
        }
        freeSmall(heap, bySize, page, address, size); // one call site: see freeSmall
    }

    /**
     * A sized free of a small block by {@code heap}'s owner. {@code page} is the current page of
     * the size's class, the likeliest home of the block: if it holds the address, the size
     * matches by construction. {@code bySize} is the heap's {@link ThreadHeap#currentBySize},
     * whose slot 0 holds the page of the heap's last local free.
     */
    private void freeSmall(ThreadHeap heap, SlabPage[] bySize, SlabPage page, long address, long size) {
        if (!page.holds(address)) {
            // Out of line unless it runs often: a loop whose frees land in the current page
            // (glibc-simple's batches) then compiles without the lookup's branches, which took
            // C2 about 0.9 MB more memory per compilation of that loop.
            page = ownPageOf(heap, bySize, address, size);
            if (page == null) {
                return; // freed by the lookup, or it threw
            }
        }
        // One call site of freeOwn and of each check for all three ways to the page keeps the
        // compiled code small: C2 does not inline a method whose own compiled code is over
        // InlineSmallCode (2,500 bytes), and free(address, size) written with a second freeOwn
        // (through the lookup) came to 3.3 KB once lookups were frequent, after which every
        // caller compiled later called it out of line.
        if (!heap.freeOwn(page, address)) {
            freeSizedLookup(heap, address, size); // not a block start: it throws
        }
    }

    /**
     * For a sized free whose block is not in its class's current page: the heap's own page that
     * holds it, its size checked; or null once {@link #freeSizedLookup} has dealt with it.
     */
    private SlabPage ownPageOf(ThreadHeap heap, SlabPage[] bySize, long address, long size) {
        SlabPage page = bySize[0]; // a batch spanning pages frees into the same few
        if (!page.holds(address)) {
            page = space.slabPageAt(address);
            if (page == null || page.owner != heap) {
                freeSizedLookup(heap, address, size); // another heap's, medium, huge, bad
                return null;
            }
            // A store here, not a call: a call on a path this frequent makes C2 keep the
            // caller's loop values on the stack (see package-info), and a setter that is not a
            // plain field write is not inlined where C2 finds the path cold.
            bySize[0] = page;
        }
        if (!smallSizeMatches(page.classIndex, size)) {
            freeSizedLookup(heap, address, size); // throws: the size does not match
            return null;
        }
        return page;
    }

    private void freeSizedLookup(ThreadHeap heap, long address, long size) {
        if (size <= 0 || size > MAX_SIZE) {
            throw Errors.badSize(size);
        }
        SlabPage page = space.slabPageAt(address);
        if (page != null && !heap.shared) {
            if (!smallSizeMatches(page.classIndex, size)) {
                throw sizeMismatch(page, address, size);
            }
            if (!heap.free(page, address)) {
                throw notABlockStart(page, address);
            }
            return;
        }
        freeSlow(heap, page, address, size);
    }

    /** Frees on behalf of {@code heap}, which the caller has locked; {@code size} -1 if unsized. */
    void freeIn(ThreadHeap heap, long address, long size) {
        freeSlow(heap, space.slabPageAt(address), address, size);
    }

    /** Frees from a shared heap, and frees of medium and huge blocks; {@code size} -1 if unsized. */
    private void freeSlow(ThreadHeap heap, SlabPage page, long address, long size) {
        if (heap.shared) {
            heap.lock.lock();
        }
        try {
            if (page != null) {
                if (size != -1 && !smallSizeMatches(page.classIndex, size)) {
                    throw sizeMismatch(page, address, size);
                }
                if (!heap.free(page, address)) {
                    throw notABlockStart(page, address);
                }
                return;
            }
            if (size != -1) {
                checkSize(size);
            }
            MediumArea area = space.mediumAreaAt(address);
            if (area != null) {
                area.owner.free(area, address, size); // counted by the area's heap
                return;
            }
            if (huge.free(address, size)) { // counted by the block's heap
                return;
            }
            throw notABlock(address);
        } finally {
            if (heap.shared) {
                heap.lock.unlock();
            }
        }
    }

    // ---- sizes -------------------------------------------------------------------------------

    @Override
    public long usableSize(long address) {
        SlabPage page = space.slabPageAt(address);
        if (page != null) {
            return liveSmallSize(page, address);
        }
        MediumArea area = space.mediumAreaAt(address);
        if (area != null) {
            return area.owner.usableSize(area, address);
        }
        long length = huge.usableSize(address);
        if (length < 0) {
            throw notABlock(address);
        }
        return length;
    }

    /** The usable size of the small block at {@code address} of {@code page}; throws unless a live block starts there. */
    private long liveSmallSize(SlabPage page, long address) {
        int index = page.indexOf(address);
        if (index < 0) {
            throw notABlockStart(page, address);
        }
        // NOTE: racy for a page another thread owns; it catches the common stale address.
        if (page.isFreeHint(index) || page.isDeferredHint(index)) {
            throw Errors.notLive(name, address);
        }
        return page.blockSize;
    }

    /**
     * A size fits a small block of class {@code c} if it maps to that class, or maps to a smaller
     * class and the block's class is more aligned (it may have come from an aligned request).
     */
    private boolean smallSizeMatches(int c, long size) {
        if ((size - 1) >>> smallShift != 0) {
            return false;
        }
        int sizeClass = classes.indexOf(size);
        return sizeClass == c
                || sizeClass < c && classes.alignment(c) > classes.alignment(sizeClass);
    }

    // ---- segments ----------------------------------------------------------------------------

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw Errors.badSize(byteSize);
        }
        checkAlignment(byteAlignment);
        long address = malloc(Math.max(byteSize, 1), byteAlignment);
        return MemorySegment.ofAddress(address).reinterpret(byteSize);
    }

    @Override
    public void free(MemorySegment segment) {
        checkSegment(segment);
        free(segment.address());
    }

    /** Throws unless {@code segment} could be a block this allocator returned. */
    void checkSegment(MemorySegment segment) {
        if (!segment.isNative() || segment.address() == 0) {
            throw Errors.foreignSegment(name, segment);
        }
        long usable;
        try {
            usable = usableSize(segment.address());
        } catch (IllegalArgumentException e) {
            throw Errors.foreignSegment(name, segment);
        }
        if (segment.byteSize() > usable) {
            throw Errors.foreignSegment(name, segment);
        }
    }

    // ---- pools ---------------------------------------------------------------------------------

    @Override
    public FixedPool newPool(long blockSize) {
        return newPool(blockSize, 8);
    }

    @Override
    public FixedPool newPool(long blockSize, long alignment) {
        checkOpen();
        FixedSizePool pool = new FixedSizePool(space, blockSize, alignment, false, openPools::remove);
        openPools.add(pool);
        return pool;
    }

    @Override
    public FixedPool newSharedPool(long blockSize) {
        checkOpen();
        FixedSizePool pool = new FixedSizePool(space, blockSize, 8, true, openPools::remove);
        openPools.add(pool);
        return pool;
    }

    // ---- first-class heaps -------------------------------------------------------------------

    @Override
    public NativeHeap newHeap(String heapName) {
        if (heapName == null || heapName.isBlank()) {
            throw new IllegalArgumentException("a heap needs a name");
        }
        checkOpen();
        return new FamilyHeap(this, heaps.newHeap(heapName));
    }

    /** Frees everything of a first-class heap; the caller holds its lock. */
    void destroy(ThreadHeap heap) {
        if (space.isClosed()) {
            return;
        }
        heap.destroy(huge);
        heaps.retire(heap);
    }

    // ---- arenas ------------------------------------------------------------------------------

    @Override
    public HedraArena newConfinedArena() {
        checkOpen();
        return new BumpArena(this, false, null);
    }

    @Override
    public HedraArena newSharedArena() {
        checkOpen();
        return new BumpArena(this, true, null);
    }

    /**
     * The calling thread's heap, for an arena's chunks and counts below: a confined arena asks
     * once and keeps its owner's, a shared one asks each time.
     */
    ThreadHeap arenaHeap() {
        return currentHeap();
    }

    /** Counts an arena (or child arena) opened (+1) or closed (-1) on {@code heap}'s thread. */
    void arenaOpened(ThreadHeap heap, int delta) {
        // Counted in a heap, without atomics; close() adds them up.
        if (heap.shared) {
            heap.lock.lock();
            try {
                heap.openArenas += delta;
            } finally {
                heap.lock.unlock();
            }
        } else {
            heap.openArenas += delta;
        }
    }

    /** A 64 KiB arena chunk, as {@code base | ceil(dirtyBytes / 8)}: from the caller's cache if it has one. */
    long takeArenaChunk(ThreadHeap heap) {
        if (heap.shared) {
            heap.lock.lock();
            try {
                return popArenaChunk(heap);
            } finally {
                heap.lock.unlock();
            }
        }
        return popArenaChunk(heap);
    }

    private long popArenaChunk(ThreadHeap heap) {
        long chunk = heap.popArenaChunk();
        return chunk != 0 ? chunk : space.takeZeroedRun(1, BumpArena.CHUNK); // zero: dirty mark 0
    }

    /**
     * The length of an arena's large request: a run of a power of two of units if it fits in a
     * medium area and needs no more than unit alignment, else (negative) the length of a direct map.
     */
    long arenaLargeLength(long size, long alignment) {
        checkSize(Math.max(size, 1));
        long units = (size + AddressSpace.UNIT - 1) >>> AddressSpace.UNIT_SHIFT;
        if (units <= AddressSpace.AREA_UNITS && alignment <= AddressSpace.UNIT) {
            return Math.max(1, Long.highestOneBit(units - 1) << 1) * AddressSpace.UNIT;
        }
        if (size > MAX_SIZE - alignment) {
            throw Errors.overflow(size, alignment);
        }
        return -HugeBlocks.mappedLength(size);
    }

    /** Takes memory for an arena's large request of {@link #arenaLargeLength} bytes. */
    long takeArenaLarge(long length, long size, long alignment) {
        if (length > 0) {
            return space.takeZeroedRun((int) (length >>> AddressSpace.UNIT_SHIFT), size); // no fill needed
        }
        return huge.mapUnlisted(-length, size, alignment);
    }

    void releaseArenaLarge(long address, long length) {
        if (length > 0) {
            space.releaseRun(address, (int) (length >>> AddressSpace.UNIT_SHIFT));
        } else {
            huge.unmapUnlisted(address, -length);
        }
    }

    /** Takes back a closed arena's chunk whose first {@code dirtyBytes} may hold data. */
    void returnArenaChunk(ThreadHeap heap, long base, int dirtyBytes) {
        long encoded = base | ((dirtyBytes + 7) >>> 3);
        boolean kept;
        if (heap.shared) {
            heap.lock.lock();
            try {
                kept = heap.pushArenaChunk(encoded);
            } finally {
                heap.lock.unlock();
            }
        } else {
            kept = heap.pushArenaChunk(encoded);
        }
        if (!kept) {
            space.releaseRun(base, 1);
        }
    }

    // ---- statistics and life cycle -----------------------------------------------------------

    /**
     * The background purge's tick ({@link BackgroundPurge}): what the slow paths would give back
     * on their next call goes back now. Retained huge maps and runs whose purge delay has passed
     * are returned to the system, abandoned heaps give back their empty pages, and heaps whose
     * owner has been idle (a fiftieth of the delay) the pages other threads wholly freed (see
     * {@link HeapRegistry#sweep}). Nothing still within its delay goes, and no live owner's kept
     * pages: unlike {@link #trim}, a tick changes nothing a slow path would not change. Holds
     * {@link #lifecycle}, so it never runs alongside {@link #close}.
     */
    void purgeExpired() {
        synchronized (lifecycle) {
            if (space.isClosed()) {
                return;
            }
            huge.unmapExpired();
            heaps.sweep();
            space.purgeExpired(); // last: the runs the sweep gave back start their delay now
        }
    }

    String name() {
        return name;
    }

    @Override
    public void trim() {
        checkOpen();
        huge.unmapRetained();
        heaps.trim();
        space.purgeRetained(); // last: the runs the heaps just gave back go too
    }

    @Override
    public AllocatorStats stats() {
        if (space.isClosed()) {
            throw Errors.closed(name);
        }
        return heaps.whileHeld(() -> Stats.snapshot(name, heaps, space, classes));
    }

    @Override
    public void close() {
        if (!closable) {
            throw new UnsupportedOperationException("the process-wide allocator cannot be closed");
        }
        synchronized (lifecycle) {
            if (space.isClosed()) {
                return;
            }
            long arenas = heaps.openArenas();
            if (arenas > 0) {
                throw new IllegalStateException("allocator '" + name + "' cannot close: " + arenas
                        + " of its arenas are still open, and their segments would point at unmapped memory");
            }
            if (purgeTask != null) {
                purgeTask.cancel();
            }
            heaps.closeAll();
            for (FixedSizePool pool : openPools) {
                pool.invalidate();
            }
            openPools.clear();
            huge.close();
            space.close();
            if (jmx != null) {
                jmx.unregister();
            }
        }
    }

    @Override
    public String toString() {
        return "Hedra allocator '" + name + "'";
    }

    // ---- errors ------------------------------------------------------------------------------

    private void checkOpen() {
        if (space.isClosed()) {
            throw Errors.closed(name);
        }
    }

    private static void checkSize(long size) {
        if (size <= 0 || size > MAX_SIZE) {
            throw Errors.badSize(size);
        }
    }

    private static void checkAlignment(long alignment) {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw Errors.badAlignment(alignment);
        }
    }

    private RuntimeException notABlockStart(SlabPage page, long address) {
        long start = page.blockStartOf(address);
        return start < 0 ? Errors.notABlock(name, address) : Errors.interior(address, start);
    }

    private RuntimeException sizeMismatch(SlabPage page, long address, long size) {
        if (page.classIndex < 0) {
            return Errors.poolBlock(address);
        }
        if (page.indexOf(address) < 0) {
            return notABlockStart(page, address);
        }
        if (size <= 0 || size > MAX_SIZE) {
            return Errors.badSize(size);
        }
        return Errors.sizeMismatch(address, size, page.blockSize);
    }

    private RuntimeException notABlock(long address) {
        if (space.isClosed()) {
            return Errors.closed(name);
        }
        long start = huge.blockContaining(address);
        if (start >= 0) {
            return Errors.interior(address, start);
        }
        // A huge block's map, kept for reuse after its free, still names the block.
        return huge.isRetainedAt(address) ? Errors.notLive(name, address) : Errors.notABlock(name, address);
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) & -unit;
    }
}
