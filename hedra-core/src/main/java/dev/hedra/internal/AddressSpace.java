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
 * units are a prefix of the region and the tables only cover that prefix. A freed run is purged
 * ({@code madvise}) at once: its memory goes back to the system, the addresses stay reserved.
 *
 * <p>Invariant (under the lock): {@code committed == sum of live runs + huge blocks <= limit}.
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

    private final String name;
    private final long limit;
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
    private boolean closed;

    AddressSpace(Config config, long regionSize) {
        this.name = config.name();
        this.limit = config.memoryLimit();
        this.regionSize = regionSize;
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
        long address = tryTakeRun(units);
        if (address == 0) {
            reclaimer.run();
            address = tryTakeRun(units);
            if (address == 0) {
                throw limitReached(units * UNIT, request);
            }
        }
        return address;
    }

    private synchronized long tryTakeRun(int units) {
        ensureOpen();
        long bytes = units * UNIT;
        if (committed + bytes > limit) {
            return 0;
        }
        int order = Integer.numberOfTrailingZeros(units);
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

    /** Gives a run back: its memory goes to the system at once. */
    synchronized void releaseRun(long address, int units) {
        if (closed) {
            return;
        }
        Os.purge(address, units * UNIT);
        regionOf(address).free(address, Integer.numberOfTrailingZeros(units));
        committed -= units * UNIT;
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
        if (committed + bytes > limit) {
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

    synchronized boolean isClosed() {
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
