package dev.hedra.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slab page: a run of units holding blocks of one size class end to end, with no header.
 *
 * <pre>
 *   base                                                         base + capacity * blockSize
 *   | block 0 | block 1 | block 2 | ...                       | block capacity-1 | (tail)
 *
 *   bits = [ free 0 | deferred 0 | free 1 | deferred 1 | ... ]   two words per 64 blocks
 *   free w      bit b set  = block 64w+b is free in the owner's view   (owner thread only)
 *   deferred w  bit b set  = block 64w+b was freed by another thread   (any thread, atomic OR)
 * </pre>
 *
 * The two bitmaps are interleaved in one array so that a free touches one cache line and pays
 * one bounds check.
 *
 * Invariants, for the owner: {@code used == capacity - popcount(free)}; the live blocks are
 * {@code used - popcount(deferred)}; {@code free & deferred == 0} (a block is freed once); every
 * word below {@code cursor} of {@code free} is zero. One user error breaks the third until the
 * next collection: a double free whose two calls race, one by the owner and one by another
 * thread, can pass both checks (the owner's is a plain read), and the block's bit is then in
 * both bitmaps; the collection counts it once, so {@code used} stays right.
 *
 * <p>The owner allocates and frees here with plain reads and writes. Another thread frees by
 * setting the block's bit in {@code deferred} (one atomic OR, see {@link RemoteFrees}); the
 * owner later moves those bits into {@code free}. A page object serves one owner heap for its
 * whole life: a page given back to the address space is dropped, and the units get a new object
 * when they are used again.
 *
 * <p>A page whose every block was freed by other threads holds no live data, and its owner cannot
 * allocate from it before collecting those frees: if the owner has been idle for a while (see
 * {@link IdlePages#idleNanos}), another thread may give the page's memory back to the system in
 * place ({@link #tryPurgeIdle}; see {@link IdlePages}). {@code state} keeps that apart from the
 * owner's collections and from the page's release:
 * <pre>
 *   OPEN --(another thread, CAS)--&gt; PURGING --(madvise done)--&gt; OPEN
 *   OPEN --(owner collects, CAS; waits out PURGING)--&gt; COLLECTING --&gt; OPEN
 *   OPEN --(owner releases the page, CAS; waits out PURGING)--&gt; RELEASED   (final; a
 *   {@link #none} page is RELEASED from the start)
 * </pre>
 */
final class SlabPage {

    private static final VarHandle DEFERRED = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SlabPage.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int OPEN = 0;
    private static final int PURGING = 1;
    private static final int COLLECTING = 2;
    private static final int RELEASED = 3;
    private static final long RECIPROCAL_LOW_BITS = (1L << SizeClasses.RECIPROCAL_SHIFT) - 1;
    /** Offsets in a heap's page are below this (4 MiB); see {@link #indexOfSmall}. */
    private static final long SMALL_OFFSET_LIMIT = 1L << 22;

    final long base;
    final int units;
    final int classIndex;
    final int blockSize;
    final int capacity;
    /** Bytes from {@code base} to the end of the last block. */
    final long span;
    private final long reciprocal;
    /** The heap or pool that allocates from this page; remote frees notify it. */
    final PageOwner owner;

    /** Even words: free (owner thread only). Odd words: deferred (any thread, atomic OR). */
    private final long[] bits;
    /** Bits past the capacity in the last word (set in a full word's image; 0 if none). */
    private final long tailMask;
    /** See the class comment; any thread, CAS. */
    private volatile int state;
    /** Whether the memory went back while every block was freed remotely; under state != OPEN. */
    private boolean purgedIdle;
    private int cursor;            // owner thread only; an even index into bits
    int used;                      // owner thread only
    /**
     * Owner heap's frees of this page's blocks, for statistics (owner thread only; read racily).
     * Counted here rather than in the heap's per-class array: the page's line is already in
     * hand on a free. The heap folds it into its own count when it gives the page back.
     */
    long localFrees;
    /** 1 while the page sits on its owner's remote-free queue; see {@link RemoteFrees}. */
    volatile int queued;           // any thread, CAS
    SlabPage nextQueued;           // written by the thread that queues, before the publishing CAS

    // Place in the owner's queue of pages with free blocks (PageQueue); owner thread only.
    SlabPage previous;
    SlabPage next;


    /**
     * A page of {@code blockSize} blocks in {@code pageSize} bytes at {@code base};
     * {@code classIndex} is -1 for a pool's page.
     */
    SlabPage(PageOwner owner, long base, int classIndex, int blockSize, int pageSize) {
        this.owner = owner;
        this.base = base;
        this.classIndex = classIndex;
        this.blockSize = blockSize;
        this.units = (int) (pageSize >>> AddressSpace.UNIT_SHIFT);
        this.capacity = pageSize / blockSize;
        this.span = (long) capacity * blockSize;
        this.reciprocal = SizeClasses.reciprocalOf(blockSize);
        int words = (capacity + 63) >>> 6;
        this.bits = new long[2 * words];
        for (int w = 0; w < words; w++) {
            bits[2 * w] = -1L;
        }
        if ((capacity & 63) != 0) {
            bits[2 * (words - 1)] = (1L << capacity) - 1; // blocks past the capacity are never free
        }
        this.tailMask = (capacity & 63) != 0 ? -(1L << capacity) : 0;
    }

    /** A page with no blocks: every class's current page before its first allocation. */
    static SlabPage none() {
        return none(null);
    }

    /** {@link #none()} owned by {@code owner}: no address is in it, and it is never a live page. */
    static SlabPage none(PageOwner owner) {
        SlabPage page = new SlabPage(owner, 0, -2, 8, 0);
        page.state = RELEASED;
        return page;
    }

    /**
     * Owner: takes the lowest free block, or returns 0 when the page is full. Lowest first keeps
     * a page's live blocks dense and neighbours in time neighbours in memory.
     *
     * <p>The word at the cursor is tried before the loop (every word below it is used up, so
     * most allocations end there): written this way, the mixed batch benchmark ran 3.5% faster
     * and the pool's pair 5%. The three lines that take a block are written out twice on
     * purpose. In a helper (or with the loop moved out of line) the loop's call site is not hot
     * enough for C2 to inline a method over 35 bytecodes, so it stays a call; and a call left in
     * a caller's loop, even once per 64 allocations, makes C2 keep the loop's values on the
     * stack around it (compiled Java code saves no registers across calls): batches of 64-byte
     * blocks went from 4.8 to 7.7 ns, while the mixed batch gained (9.7 -> 8.5 ns).
     */
    long allocate() {
        long[] bits = this.bits;
        int w = cursor;
        if (w < bits.length) {
            long word = bits[w];
            if (word != 0) {
                bits[w] = word & (word - 1);
                used++;
                return base + (long) ((w << 5) + Long.numberOfTrailingZeros(word)) * blockSize;
            }
        }
        for (int next = w + 2; next < bits.length; next += 2) {
            long word = bits[next];
            if (word != 0) {
                bits[next] = word & (word - 1);
                cursor = next;
                used++;
                return base + (long) ((next << 5) + Long.numberOfTrailingZeros(word)) * blockSize;
            }
        }
        cursor = bits.length;
        return 0;
    }

    /**
     * Owner: takes free blocks, lowest first, into {@code out[from..to)} until the page or the
     * range is full, as calls of {@link #allocate} would, and returns the index after the last
     * block taken. A word of the bitmap stays in a register while its blocks are handed out,
     * and the count is written once, where each {@link #allocate} stores both and the next
     * loads them again.
     */
    int allocateInto(long[] out, int from, int to) {
        long[] bits = this.bits;
        long base = this.base;
        long size = blockSize;
        int i = from;
        for (int w = cursor; w < bits.length; w += 2) {
            long word = bits[w];
            // A counted loop over the word's free blocks: C2 then drops the safepoint poll and
            // the array's bounds check from each block.
            int n = Math.min(Long.bitCount(word), to - i);
            long first = base + (long) (w << 5) * size;
            for (int k = 0; k < n; k++) {
                out[i + k] = first + Long.numberOfTrailingZeros(word) * size;
                word &= word - 1;
            }
            i += n;
            bits[w] = word;
            if (i == to) {
                cursor = w;
                used += i - from;
                return i;
            }
        }
        cursor = bits.length;
        used += i - from;
        return i;
    }

    /**
     * Owner, for a pool of blocks of {@code 1 << shift} bytes ({@code shift >= 0}) or any size
     * ({@code shift < 0}): frees the blocks at {@code addresses[from..to)} in order while each
     * is a block of this page in use, as {@link #freeLocal} would one by one, and returns the
     * index of the first address it did not free (outside the page, not a block start, or
     * already free: the caller tells which). The count and the cursor are written once.
     */
    int freeRun(long[] addresses, int from, int to, int shift) {
        long[] bits = this.bits;
        long base = this.base;
        long span = this.span;
        long inBlock = shift >= 0 ? (1L << shift) - 1 : 0; // offset bits within a block
        int low = cursor;
        int i = from;
        for (; i < to; i++) {
            long address = addresses[i];
            long offset = address - base;
            // In the page: then the index is below the capacity, which needs no check of its own.
            if (Long.compareUnsigned(offset, span) >= 0) {
                break;
            }
            int index = shift < 0 ? indexOf(address)
                    : (offset & inBlock) == 0 ? (int) (offset >>> shift) : -1;
            if (index < 0) {
                break;
            }
            int w = (index >>> 6) << 1;
            long bit = 1L << index;
            long word = bits[w];
            if (((word | bits[w + 1]) & bit) != 0) {
                break;
            }
            bits[w] = word | bit;
            low = Math.min(low, w);
        }
        cursor = low;
        used -= i - from;
        return i;
    }

    /**
     * The index of the block starting at {@code address}, or -1 if the address is not a block
     * start of this page. The caller builds the error, off the hot path.
     */
    int indexOf(long address) {
        long offset = address - base;
        int index = (int) ((offset * reciprocal) >>> SizeClasses.RECIPROCAL_SHIFT);
        return (long) index * blockSize == offset && index < capacity ? index : -1;
    }

    /**
     * {@link #indexOf} for a heap's page, whose blocks are small (at most
     * {@link SizeClasses#SMALL_LIMIT} bytes) and whose offsets are below 4 MiB: one multiply
     * instead of two. With {@code r = reciprocal = ceil(2^40 / b)} and {@code E = r * b - 2^40}
     * ({@code 0 <= E < b}), an offset {@code o = k * b + d} ({@code 0 <= d < b}) gives
     * {@code o * r = k * 2^40 + L}, {@code L = k * E + d * r}. For {@code d = 0},
     * {@code L = k * E < o < 2^22}; for {@code d > 0}, {@code 2^22 < 2^25 <= r <= L < 2^40}. So
     * the low 40 bits of the product are below {@code 2^22} exactly when {@code o} is a block
     * start, and the high bits are then {@code k}.
     */
    int indexOfSmall(long address) {
        long scaled = (address - base) * reciprocal;
        long index = scaled >>> SizeClasses.RECIPROCAL_SHIFT;
        return (scaled & RECIPROCAL_LOW_BITS) < SMALL_OFFSET_LIMIT && index < capacity ? (int) index : -1;
    }

    /**
     * {@link #indexOf} for a page whose block size is {@code 1 << shift}: a mask and a shift in
     * place of two multiplies, for pools of power-of-two blocks.
     */
    int indexOfPowerOfTwo(long address, int shift) {
        long offset = address - base;
        long index = offset >>> shift; // an address below the base gives a huge index
        return (offset & ((1L << shift) - 1)) == 0 && index < capacity ? (int) index : -1;
    }

    /** The start of the block that holds {@code address}, or -1 if it lies past the last block. */
    long blockStartOf(long address) {
        long offset = address - base;
        return offset >= 0 && offset < (long) capacity * blockSize
                ? base + offset / blockSize * blockSize
                : -1;
    }

    /**
     * Owner: frees the block at {@code index}. Returns the number of blocks still used, or -1 if
     * the block is already free (its bit is set in either bitmap: a double free; nothing changes).
     */
    int freeLocal(int index) {
        int w = (index >>> 6) << 1;
        long bit = 1L << index;
        long[] bits = this.bits;
        long word = bits[w];
        // NOTE: a plain read of deferred suffices: a remote free of this block that we cannot see
        // yet would race with this free, which is the user's double free, not ours to order.
        if (((word | bits[w + 1]) & bit) != 0) {
            return -1;
        }
        bits[w] = word | bit;
        if (w < cursor) {
            cursor = w;
        }
        return --used;
    }

    /** Any thread: whether the owner's view says the block is free (a racy hint; see callers). */
    boolean isFreeHint(int index) {
        return (bits[(index >>> 6) << 1] & (1L << index)) != 0;
    }

    /** Any thread: whether the block waits in the deferred bitmap (a racy hint). */
    boolean isDeferredHint(int index) {
        return ((long) DEFERRED.getOpaque(bits, ((index >>> 6) << 1) + 1) & (1L << index)) != 0;
    }

    /**
     * Any thread: marks the block freed remotely. Returns the deferred word it is in, with its
     * bit now set, or 0 if the bit was already set (nothing changed).
     */
    long markDeferred(int index) {
        long bit = 1L << index;
        // Atomic OR: other threads may set bits of the same word at the same time.
        long previous = (long) DEFERRED.getAndBitwiseOr(bits, ((index >>> 6) << 1) + 1, bit);
        return (previous & bit) == 0 ? previous | bit : 0;
    }

    /** Whether {@code word}, the deferred word of block {@code index}, has every block's bit. */
    boolean isFullWord(long word, int index) {
        return word == -1L || (word | tailMask) == -1L && index >>> 6 == (bits.length >>> 1) - 1;
    }

    /**
     * Any thread, racy: whether every block was freed by other threads and none is free in the
     * owner's view (so the owner has none to hand out before it collects).
     */
    boolean allFreedRemotely() {
        return allFreedRemotely(0);
    }

    /**
     * {@link #allFreedRemotely()}, looking at the words from the one after block {@code index}'s
     * on, round to it: frees in address order fill the words in order, so the next word is the
     * likeliest not to be full, and the look ends there.
     */
    boolean allFreedRemotely(int index) {
        long[] bits = this.bits;
        int words = bits.length >>> 1;
        if (words == 0) {
            return false;
        }
        int start = (index >>> 6) + 1;
        for (int i = 0; i < words; i++) {
            int w = start + i < words ? start + i : start + i - words;
            long full = w == words - 1 ? ~tailMask : -1L;
            long deferred = (long) DEFERRED.getVolatile(bits, 2 * w + 1);
            if (deferred != full || (long) DEFERRED.getOpaque(bits, 2 * w) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Any thread but the owner: gives the page's memory back to the system if every block was
     * freed remotely and not yet collected, unless it already went back or the owner is
     * collecting or releasing it. Returns the bytes given back (0 if none).
     *
     * <p>Why it is safe: the owner hands out no block of such a page before it collects, and a
     * collection waits while the state is PURGING; the check is repeated once the state is held,
     * because the owner may have collected (and the blocks been used) between the first check and
     * the CAS.
     */
    long tryPurgeIdle() {
        if (state != OPEN || !allFreedRemotely() || !STATE.compareAndSet(this, OPEN, PURGING)) {
            return 0;
        }
        try {
            if (purgedIdle || !allFreedRemotely()) {
                return 0;
            }
            long bytes = units * AddressSpace.UNIT;
            try {
                Os.purge(base, bytes);
            } catch (IllegalStateException refused) {
                // The memory stays resident, as it would have without this: the free (or the
                // sweep) that got here must not fail for it.
                return 0;
            }
            purgedIdle = true;
            return bytes;
        } finally {
            state = OPEN;
        }
    }

    /** Any thread, racy (for statistics): whether the memory went back by {@link #tryPurgeIdle}. */
    boolean isPurgedIdle() {
        return purgedIdle;
    }

    /** Owner: waits out a purge in progress, then holds the state at {@code held}. */
    private void hold(int held) {
        while (!STATE.compareAndSet(this, OPEN, held)) {
            if (state == RELEASED) {
                throw new AssertionError("page " + Errors.hex(base) + " used after its release");
            }
            Thread.onSpinWait(); // another thread's madvise of this page: microseconds
        }
    }

    /**
     * Owner: the page is being given back (or forgotten with its memory): no other thread may
     * purge it from now on. Waits out a purge in progress.
     */
    void retire() {
        if (state != RELEASED) {
            hold(RELEASED);
        }
    }

    /** Whether the page was given back ({@link #retire}) or never had blocks ({@link #none}). */
    boolean isReleased() {
        return state == RELEASED;
    }

    /**
     * Owner: moves the remotely freed blocks into the free bitmap. Returns how many it moved, and
     * adds their number to {@code classFrees} of the owner's statistics via the return value.
     */
    int collectDeferred() {
        hold(COLLECTING);
        try {
            return collectHeld();
        } finally {
            state = OPEN;
        }
    }

    private int collectHeld() {
        purgedIdle = false; // its blocks are the owner's to hand out again
        int collected = 0;
        long[] bits = this.bits;
        for (int w = 0; w < bits.length; w += 2) {
            // A volatile read first: most words have nothing, and getAndSet costs a locked op.
            if ((long) DEFERRED.getVolatile(bits, w + 1) != 0) {
                long taken = (long) DEFERRED.getAndSet(bits, w + 1, 0L);
                // A bit in both bitmaps is a block the owner and another thread freed at the same
                // moment, neither seeing the other (see RemoteFrees.freeRemote): the user's double
                // free, both of whose calls returned. The block is free once; counting it once
                // keeps used equal to the blocks really in use, so the page is not taken for empty
                // while it still holds a live block.
                long fresh = taken & ~bits[w];
                bits[w] |= fresh;
                collected += Long.bitCount(fresh);
                if (w < cursor) {
                    cursor = w;
                }
            }
        }
        used -= collected;
        if (Config.CHECKS) {
            checkCounts();
        }
        return collected;
    }

    /**
     * Owner, in checked mode ({@link Config#CHECKS}), on slow paths: the page's counts agree with
     * its bitmap. {@code used == capacity - popcount(free)}, no bit past the capacity is free, and
     * every word of {@code free} below {@code cursor} is zero. O(words).
     */
    void checkCounts() {
        int free = 0;
        for (int w = 0; w < bits.length; w += 2) {
            long word = bits[w];
            if (w < cursor && word != 0) {
                throw broken("a free block in word " + (w >>> 1) + ", below the cursor (word "
                        + (cursor >>> 1) + ")");
            }
            free += Long.bitCount(word);
        }
        if (tailMask != 0 && (bits[bits.length - 2] & tailMask) != 0) {
            throw broken("a block past the capacity is free");
        }
        if (used != capacity - free) {
            throw broken("used is " + used + " but " + free + " of " + capacity + " blocks are free");
        }
    }

    /** A broken invariant of this page, found by a check. */
    AssertionError broken(String what) {
        return new AssertionError("slab page " + Errors.hex(base) + " of " + blockSize + "-byte blocks: "
                + what);
    }

    /**
     * Any thread: blocks freed remotely and not yet collected (for statistics). A block also free
     * in the owner's view (a raced double free, see the class comment) is not counted: the
     * collection will not count it either.
     */
    int pendingDeferred() {
        int pending = 0;
        for (int w = 0; w < bits.length; w += 2) {
            long deferred = (long) DEFERRED.getOpaque(bits, w + 1);
            if (deferred != 0) {
                pending += Long.bitCount(deferred & ~(long) DEFERRED.getOpaque(bits, w));
            }
        }
        return pending;
    }

    /** Whether {@code address} lies in this page's blocks; one unsigned comparison. */
    boolean holds(long address) {
        return Long.compareUnsigned(address - base, span) < 0;
    }

}
