package dev.hedra.internal;

/**
 * What owns slab pages: a {@link ThreadHeap} or a {@link FixedSizePool}. The owner allocates
 * from its pages without atomics; other threads free into them through its {@link RemoteFrees}
 * queue, and the owner is told what it collected.
 */
abstract class PageOwner {

    final RemoteFrees remoteFrees = new RemoteFrees();

    /** The address space the owner's pages come from. */
    final AddressSpace space;

    /** Owner: bumped on every refill, the slow path an active owner comes back to. */
    int refills;
    // NOTE: any thread, racy: the refills value last seen by IdlePages and when it was seen. A
    // torn or lost update can only make an owner look idle or busy wrongly for a while, which
    // purges a page that had no live block anyway, or purges it later.
    private int seenRefills = -1;
    private long seenAtNanos;

    PageOwner(AddressSpace space) {
        this.space = space;
    }

    /**
     * Any thread, racy: whether the owner has not refilled for {@code delayNanos}, as far as the
     * callers so far could tell: the first look at a changed count says no and starts the clock.
     */
    boolean idleFor(long delayNanos, long now) {
        int seen = refills;
        if (seen != seenRefills) {
            seenRefills = seen;
            seenAtNanos = now;
            return delayNanos <= 0;
        }
        return now - seenAtNanos >= delayNanos;
    }

    /** Poor refills in a row (see {@link #staysOnCurrent}) after which an owner takes a fresh page. */
    static final int POOR_REFILLS = 4;

    /** Owner: {@code collected} remote frees of {@code page} moved into its free bitmap. */
    abstract void onCollected(SlabPage page, int usedBefore, int collected);

    /**
     * Owner, refilling after it collected remote frees: whether to go on allocating from the
     * current page {@code full}. Yes if they gave it back a quarter of its blocks. Fewer mean
     * another thread is most likely still freeing into it, and allocating there would chase that
     * thread a few blocks at a time through the same bitmap lines, collecting again every few
     * blocks (a producer/consumer pair did exactly that, at 85 ns per block): then no if another
     * page is listed, and with none listed, yes unless this is the {@link #POOR_REFILLS}th such
     * refill in a row ({@code poorRefills[slot]} counts them). So a steady chase ends in a fresh
     * page, while a page that only now and then gets a few blocks back costs none, and the owner
     * takes a fresh page this way only when its other pages are full and this one is at least
     * three quarters used.
     */
    static boolean staysOnCurrent(SlabPage full, boolean anotherListed, byte[] poorRefills, int slot) {
        if (full.capacity - full.used >= full.capacity >>> 2) {
            poorRefills[slot] = 0;
            return true;
        }
        if (!anotherListed && ++poorRefills[slot] < POOR_REFILLS) {
            return true; // the few blocks will do this time
        }
        poorRefills[slot] = 0;
        return false;
    }

    /**
     * Owner: the memory limit kept it from taking a fresh page after {@link #staysOnCurrent}
     * said to move on; the few blocks back in {@code full} serve instead, if there are any.
     */
    static long blockAtLimit(SlabPage full, OutOfMemoryError limitReached) {
        long address = full.allocate();
        if (address == 0) {
            throw limitReached;
        }
        return address;
    }
}
