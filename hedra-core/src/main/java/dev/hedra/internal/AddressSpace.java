package dev.hedra.internal;

/**
 * Address space: large reservations ({@link Region}s) carved into runs of 64 KiB units, and the
 * tables that map an address back to the slab page or medium area that holds it.
 *
 * <pre>
 *   region   [ base ............................................ base + size )
 *   units      |64K|64K|64K|...          unit = (address - base) &gt;&gt;&gt; 16
 *   runs       a slab page: 1..32 units   a medium area: 64 units (4 MiB)
 *   tables     slabPages[unit]  -&gt; the slab page covering the unit, or null
 *              mediumAreas[unit] -&gt; the medium area covering the unit, or null
 * </pre>
 *
 * Runs are taken from per-size free stacks, else by bumping through the region, so the used
 * units are a prefix of the region and the tables only cover that prefix. A run given back waits
 * unpurged ("dirty", still committed, pages warm) for the purge delay and is reused first; then,
 * or when memory is short, it is purged ({@code madvise}): its memory goes back to the system,
 * the addresses stay reserved. Purging happens on these slow paths and on the allocator's
 * background purge ({@code BackgroundPurge}), if it has one.
 *
 * <p>Invariants (under the lock): {@code committed == live runs + huge blocks};
 * {@code retained == dirty runs}; {@code committed + retained <= limit} (retained runs are
 * purged first when a request would pass the limit).
 *
 * <p>All changes happen under this object's lock, on slow paths. The lookups read the tables
 * without a lock: see {@link Region#slabPages}.
 */
final class AddressSpace {

    static final int UNIT_SHIFT = 16;
    static final long UNIT = 1L << UNIT_SHIFT;
    /** Units in a medium area (4 MiB). */
    static final int AREA_UNITS = 64;
    private static final int ORDERS = 7; // runs of 1, 2, 4, ... 64 units

    /** Most bytes of given-back runs kept unpurged for reuse (also at most committed / 4). */
    static final long DIRTY_BUDGET = 64L << 20;

    private final String name;
    private final long limit;
    private final long purgeDelayNanos;
    private final DirtyRuns dirty = new DirtyRuns(); // guarded by this
    private long retainedHuge; // guarded by this: huge maps retained by HugeBlocks
    private final long regionSize;
    /** The first region: every lookup tries it first. */
    private final Region primary;
    /** Further regions, once the primary one is used up; copy on write. */
    private volatile Region[] regions;
    private Runnable reclaimer = () -> {};

    // guarded by this
    private long committed;
    private long peakCommitted;
    private long reserved;
    /** Written under this object's lock; read without it by {@link #isClosed}. */
    private volatile boolean closed;
    /** Whether a refused purge was reported (once per allocator); guarded by this. */
    private boolean purgeRefusedReported;

    AddressSpace(Config config, long regionSize) {
        this.name = config.name();
        this.limit = config.memoryLimit();
        this.regionSize = regionSize;
        this.purgeDelayNanos = config.purgeDelayMillis() * 1_000_000L;
        this.primary = reserveRegion(0);
        this.regions = new Region[] {primary};
    }

    /** Called, outside the lock, before a request fails for want of memory. */
    void onPressure(Runnable reclaimer) {
        this.reclaimer = reclaimer;
    }

    // ---- lookups: any thread, no lock ------------------------------------------------------

    /** The slab page holding {@code address}, or null if none does. */
    SlabPage slabPageAt(long address) {
        Region region = primary;
        long unit = (address - region.base) >>> UNIT_SHIFT;
        SlabPage[] table = region.slabPages;
        if (unit < table.length) {
            return table[(int) unit];
        }
        return slabPageInOtherRegions(address);
    }

    private SlabPage slabPageInOtherRegions(long address) {
        for (Region region : regions) {
            long unit = (address - region.base) >>> UNIT_SHIFT;
            SlabPage[] table = region.slabPages;
            if (unit < table.length) {
                return table[(int) unit];
            }
        }
        return null;
    }

    /** The medium area holding {@code address}, or null if none does. */
    MediumArea mediumAreaAt(long address) {
        for (Region region : regions) {
            long unit = (address - region.base) >>> UNIT_SHIFT;
            MediumArea[] table = region.mediumAreas;
            if (unit < table.length) {
                return table[(int) unit];
            }
        }
        return null;
    }

    // ---- runs -------------------------------------------------------------------------------

    /**
     * Takes a run of {@code units} units (a power of two up to {@link #AREA_UNITS}); reclaims
     * memory once and retries before failing.
     *
     * @param request the size the user asked for, for the error message
     * @throws OutOfMemoryError if the limit or the system refuses
     */
    long takeRun(int units, long request) {
        return takeRun(units, request, true);
    }

    /**
     * Takes a run whose memory reads as zero (fresh from the system or purged): for arenas, which
     * hand out zeroed memory without filling it.
     */
    long takeZeroedRun(int units, long request) {
        return takeRun(units, request, false);
    }

    private long takeRun(int units, long request, boolean mayBeDirty) {
        long address = tryTakeRun(units, mayBeDirty);
        if (address == 0) {
            reclaimer.run();
            address = tryTakeRun(units, mayBeDirty);
            if (address == 0) {
                throw limitReached(units * UNIT, request);
            }
        }
        return address;
    }

    private synchronized long tryTakeRun(int units, boolean mayBeDirty) {
        ensureOpen();
        long bytes = units * UNIT;
        int order = Integer.numberOfTrailingZeros(units);
        long now = System.nanoTime();
        purgeExpired(now);
        if (mayBeDirty && dirty.count[order] > 0) {
            commit(bytes);
            return dirty.pop(order); // its pages are still resident: no faults to take
        }
        if (committed + dirty.bytes + bytes > limit && dirty.bytes > 0) {
            purgeAllDirty(); // memory is short: give back what waits, then try again
        }
        if (committed + retainedHuge + bytes > limit) {
            return 0; // the reclaimer unmaps retained huge maps, then the caller tries again
        }
        for (Region region : regions) {
            long address = region.take(order, units);
            if (address != 0) {
                commit(bytes);
                return address;
            }
        }
        Region region = reserveRegion(regions.length);
        Region[] grown = java.util.Arrays.copyOf(regions, regions.length + 1);
        grown[grown.length - 1] = region;
        regions = grown;
        long address = region.take(order, units);
        commit(bytes);
        return address;
    }

    /**
     * Gives a run back. Its memory stays committed for a while (up to {@link #DIRTY_BUDGET} bytes)
     * so that a run taken again soon does not fault its pages in anew; after the purge delay, or
     * when memory is short, it goes back to the system.
     */
    synchronized void releaseRun(long address, int units) {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        committed -= units * UNIT;
        // Retain at most a quarter of what is committed (at least a medium area's worth), so a
        // small process stays small, and at most DIRTY_BUDGET.
        long budget = Math.min(DIRTY_BUDGET, Math.max(AREA_UNITS * UNIT, committed / 4));
        if (purgeDelayNanos > 0 && dirty.bytes + units * UNIT <= budget) {
            dirty.push(address, Integer.numberOfTrailingZeros(units), now + purgeDelayNanos);
        } else {
            purge(address, units);
        }
        purgeExpired(now);
    }

    /**
     * Returns a run that is no longer committed (given back, or retained until now). The region
     * hands its free runs out as fresh memory, which reads zero. If the system refuses the purge
     * (a range the program locked with {@code mlock} cannot be purged: {@code EINVAL}), the run is
     * zeroed here instead and stays resident; the free or close that got here must not fail for
     * it, and the run must not be lost.
     */
    private void purge(long address, int units) {
        long bytes = units * UNIT;
        try {
            Os.purge(address, bytes);
        } catch (IllegalStateException refused) {
            if (!purgeRefusedReported) {
                purgeRefusedReported = true;
                System.getLogger("dev.hedra").log(System.Logger.Level.WARNING, "allocator '" + name
                        + "': the system refused to take back memory (" + refused.getMessage()
                        + "); such memory stays resident and is zeroed for reuse. Is it locked (mlock)?");
            }
            java.lang.foreign.MemorySegment.ofAddress(address).reinterpret(bytes).fill((byte) 0);
        }
        regionOf(address).free(address, Integer.numberOfTrailingZeros(units));
    }

    /** Purges the dirty runs whose delay has passed; cheap when none has. */
    private void purgeExpired(long now) {
        if (dirty.bytes == 0 || now - dirty.nextExpiry < 0) {
            return;
        }
        long next = Long.MAX_VALUE;
        for (int order = 0; order < ORDERS; order++) {
            for (int i = dirty.count[order] - 1; i >= 0; i--) {
                if (now - dirty.expiry[order][i] >= 0) {
                    long run = dirty.remove(order, i);
                    purge(run, 1 << order);
                } else {
                    next = Math.min(next, dirty.expiry[order][i]);
                }
            }
        }
        dirty.nextExpiry = next;
    }

    private void purgeAllDirty() {
        for (int order = 0; order < ORDERS; order++) {
            while (dirty.count[order] > 0) {
                purge(dirty.pop(order), 1 << order);
            }
        }
        dirty.nextExpiry = Long.MAX_VALUE;
    }

    /** Purges the runs given back whose delay has passed (the background purge). */
    synchronized void purgeExpired() {
        if (!closed) {
            purgeExpired(System.nanoTime());
        }
    }

    /** Purges every run given back and retained, whatever its delay ({@code trim}). */
    synchronized void purgeRetained() {
        if (!closed) {
            purgeAllDirty();
        }
    }

    /** Bytes of runs given back and not yet purged: resident still, not committed to any use. */
    synchronized long retained() {
        return dirty.bytes + retainedHuge;
    }

    /** Publishes a slab page in the lookup table. */
    synchronized void map(SlabPage page) {
        Region region = regionOf(page.base);
        int first = region.unit(page.base);
        java.util.Arrays.fill(region.slabPages, first, first + page.units, page);
    }

    synchronized void unmap(SlabPage page) {
        if (closed) {
            return;
        }
        Region region = regionOf(page.base);
        int first = region.unit(page.base);
        java.util.Arrays.fill(region.slabPages, first, first + page.units, null);
    }

    synchronized void map(MediumArea area, boolean present) {
        if (closed) {
            return;
        }
        Region region = regionOf(area.base);
        int first = region.unit(area.base);
        java.util.Arrays.fill(region.mediumAreas, first, first + AREA_UNITS, present ? area : null);
    }

    // ---- huge blocks: only the accounting lives here ----------------------------------------

    /** Counts {@code bytes} of a direct map against the limit; false if over it. */
    synchronized boolean tryCommitHuge(long bytes) {
        ensureOpen();
        if (committed + dirty.bytes + bytes > limit && dirty.bytes > 0) {
            purgeAllDirty();
        }
        if (committed + retainedHuge + bytes > limit) {
            return false;
        }
        commit(bytes);
        reserved += bytes;
        return true;
    }

    boolean commitHuge(long bytes) {
        if (tryCommitHuge(bytes)) {
            return true;
        }
        reclaimer.run();
        return tryCommitHuge(bytes);
    }

    /** Huge maps freed and retained for reuse ({@code bytes} may be negative). */
    synchronized void retainHuge(long bytes) {
        retainedHuge += bytes;
    }

    synchronized void uncommitHuge(long bytes) {
        committed -= bytes;
        reserved -= bytes;
    }

    OutOfMemoryError limitReached(long needed, long request) {
        long committedNow;
        synchronized (this) {
            committedNow = committed;
        }
        return Errors.limit(name, limit, committedNow, request, needed);
    }

    // ---- statistics and life cycle -----------------------------------------------------------

    /** How long memory given back waits before it returns to the system, in nanoseconds. */
    long purgeDelayNanos() {
        return purgeDelayNanos;
    }

    synchronized long committed() {
        return committed;
    }

    synchronized long peakCommitted() {
        return peakCommitted;
    }

    synchronized long reserved() {
        return reserved;
    }

    /** Unmaps every region; lookups find nothing afterwards. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Region region : regions) {
            region.slabPages = new SlabPage[0];
            region.mediumAreas = new MediumArea[0];
            Os.unmap(region.base, region.size);
        }
        committed = 0;
        reserved = 0;
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw Errors.closed(name);
        }
    }

    private void commit(long bytes) {
        committed += bytes;
        peakCommitted = Math.max(peakCommitted, committed);
    }

    private Region regionOf(long address) {
        for (Region region : regions) {
            if (address - region.base >= 0 && address - region.base < region.size) {
                return region;
            }
        }
        throw new IllegalStateException("no region holds " + Errors.hex(address));
    }

    private Region reserveRegion(int index) {
        long base = Os.reserve(regionSize, UNIT * AREA_UNITS);
        if (base == 0) {
            throw Errors.system(name, regionSize, Os.lastError());
        }
        synchronized (this) {
            reserved += regionSize;
        }
        return new Region(base, regionSize);
    }

    /** Runs given back and not yet purged, per order, with the time each may be purged. */
    private static final class DirtyRuns {
        final long[][] runs = new long[ORDERS][16];
        final long[][] expiry = new long[ORDERS][16];
        final int[] count = new int[ORDERS];
        long bytes;
        long nextExpiry = Long.MAX_VALUE;

        void push(long address, int order, long expiresAt) {
            if (count[order] == runs[order].length) {
                runs[order] = java.util.Arrays.copyOf(runs[order], count[order] * 2);
                expiry[order] = java.util.Arrays.copyOf(expiry[order], count[order] * 2);
            }
            runs[order][count[order]] = address;
            expiry[order][count[order]++] = expiresAt;
            bytes += UNIT << order;
            nextExpiry = Math.min(nextExpiry, expiresAt);
        }

        /** The most recently given back run of the order: its pages are the warmest. */
        long pop(int order) {
            bytes -= UNIT << order;
            return runs[order][--count[order]];
        }

        long remove(int order, int index) {
            long run = runs[order][index];
            int last = --count[order];
            runs[order][index] = runs[order][last];
            expiry[order][index] = expiry[order][last];
            bytes -= UNIT << order;
            return run;
        }
    }

    /** One reservation and its lookup tables. */
    static final class Region {
        final long base;
        final long size;
        /**
         * Slab page per unit of the used prefix. Written under the space's lock, read without it.
         * NOTE: a plain read is enough: a thread can only look up an address it was handed after
         * the page was published, and that hand-over orders the table write before the read.
         */
        SlabPage[] slabPages = new SlabPage[1024];
        /** Medium area per unit of the used prefix; same rules as {@link #slabPages}. */
        MediumArea[] mediumAreas = new MediumArea[1024];
        private long bumpUnits; // units handed out from the start of the region
        private final long[][] freeRuns = new long[ORDERS][];
        private final int[] freeRunCount = new int[ORDERS];

        Region(long base, long size) {
            this.base = base;
            this.size = size;
            for (int order = 0; order < ORDERS; order++) {
                freeRuns[order] = new long[16];
            }
        }

        int unit(long address) {
            return (int) ((address - base) >>> UNIT_SHIFT);
        }

        long take(int order, int units) {
            if (freeRunCount[order] > 0) {
                return freeRuns[order][--freeRunCount[order]];
            }
            if ((bumpUnits + units) * UNIT > size) {
                return 0;
            }
            long address = base + bumpUnits * UNIT;
            bumpUnits += units;
            if (bumpUnits > slabPages.length) {
                int length = (int) Math.min(Math.max(bumpUnits, 2L * slabPages.length), size / UNIT);
                slabPages = java.util.Arrays.copyOf(slabPages, length);
                mediumAreas = java.util.Arrays.copyOf(mediumAreas, length);
            }
            return address;
        }

        void free(long address, int order) {
            if (freeRunCount[order] == freeRuns[order].length) {
                freeRuns[order] = java.util.Arrays.copyOf(freeRuns[order], 2 * freeRunCount[order]);
            }
            freeRuns[order][freeRunCount[order]++] = address;
        }
    }
}
