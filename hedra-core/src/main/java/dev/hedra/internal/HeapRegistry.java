package dev.hedra.internal;

import java.util.Arrays;

/**
 * Which heap a thread uses, and the life cycle of heaps.
 *
 * <ul>
 *   <li>A platform thread gets an owned heap on its first call, remembered in a
 *       {@link ThreadLocal}. When the thread dies its heap is <em>abandoned</em>: the next thread
 *       to need a heap adopts it whole (pages, live blocks, queued remote frees), so thread churn
 *       does not strand memory: there are never more owned heaps than threads alive at once.
 *       Abandoned heaps that nobody adopts give their empty pages back when memory runs short.
 *   <li>Virtual threads share a few locked heaps, picked by thread id, so a million virtual
 *       threads do not make a million heaps.
 * </ul>
 *
 * The hot path finds a platform thread's heap in {@link #byThreadId}, a table indexed by the
 * low bits of the thread id and checked by the heap's owner, which costs fewer dependent loads
 * than a {@link ThreadLocal}; a thread whose slot another live thread holds falls back to the
 * thread-local. {@link #pagesByThreadId} holds, slot for slot, the same heaps' pages by size,
 * for the sized hot paths that start from a page (checked by the owner of the page in slot 0).
 *
 * <p>Lock order: registry, then a heap's medium spans, then the address space.
 */
final class HeapRegistry {

    private final AddressSpace space;
    private final SizeClasses classes;
    /** Mirrors {@link #byThreadId} in its hot path. */
    private final HedraAllocator allocator;
    private final String allocatorName;
    /** Bytes of empty slab pages each heap keeps for reuse. */
    final long emptyPageBudget;
    private final ThreadHeap[] sharedHeaps;
    private final ThreadLocal<ThreadHeap> current = new ThreadLocal<>() {
        @Override
        protected ThreadHeap initialValue() {
            return attach();
        }
    };
    /**
     * Owned heaps by {@code threadId & (length - 1)}. Written under this object's lock, read
     * without it. NOTE: a racy read is safe because the reader only uses a heap whose owner is
     * the reading thread itself, and only that thread's own attach wrote that owner.
     */
    private ThreadHeap[] byThreadId = new ThreadHeap[64];
    /** The pages by size of each heap in {@link #byThreadId}, slot for slot. */
    private SlabPage[][] pagesByThreadId = new SlabPage[64][];
    private static final int MAX_TABLE = 1 << 16;
    /** Every heap, owned and shared; copy on write under this object's lock. */
    private volatile ThreadHeap[] heaps;
    private long peakBytesInUse; // guarded by this
    /** The counters of destroyed heaps. Guarded by this. */
    private final Retired retired = new Retired();

    HeapRegistry(AddressSpace space, SizeClasses classes, String allocatorName, long emptyPageBudget,
            HedraAllocator allocator) {
        this.allocator = allocator;
        this.space = space;
        this.classes = classes;
        this.allocatorName = allocatorName;
        this.emptyPageBudget = emptyPageBudget;
        int stripes = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
        sharedHeaps = new ThreadHeap[stripes];
        for (int i = 0; i < stripes; i++) {
            sharedHeaps[i] = new ThreadHeap(space, classes, this, "virtual-threads-" + i, true);
        }
        heaps = sharedHeaps.clone();
        publishTables();
        space.onPressure(this::reclaim);
    }

    /** A thread whose slot does not hold its heap: the thread-local, and a try to take the slot. */
    ThreadHeap currentSlow(Thread thread) {
        ThreadHeap heap = current.get();
        if (!heap.shared) {
            install(heap, thread);
        }
        return heap;
    }

    /** Puts {@code heap} in its owner's slot, growing the table while live owners collide. */
    private synchronized void install(ThreadHeap heap, Thread owner) {
        while (true) {
            int slot = (int) owner.threadId() & (byThreadId.length - 1);
            ThreadHeap there = byThreadId[slot];
            if (there == null || there == heap || !there.ownerThread.isAlive() || there.ownerThread != ownerOfSlot(there, slot)) {
                byThreadId[slot] = heap;
                pagesByThreadId[slot] = heap.currentBySize;
                publishTables();
                return;
            }
            if (byThreadId.length >= MAX_TABLE) {
                return; // this thread keeps using the thread-local
            }
            ThreadHeap[] grown = new ThreadHeap[byThreadId.length * 2];
            SlabPage[][] grownPages = new SlabPage[grown.length][];
            for (ThreadHeap h : heaps) {
                if (!h.shared && h.ownerThread.isAlive()) {
                    int s = (int) h.ownerThread.threadId() & (grown.length - 1);
                    if (grown[s] == null) {
                        grown[s] = h;
                        grownPages[s] = h.currentBySize;
                    }
                }
            }
            byThreadId = grown;
            pagesByThreadId = grownPages;
            publishTables();
        }
    }

    /** Mirrors both tables into the allocator, whose hot paths read them without a lock. */
    private void publishTables() {
        allocator.threadTable = byThreadId;
        allocator.pagesTable = pagesByThreadId;
    }

    /** The heap's owner if the heap sits in the owner's own slot, else null (a stale entry). */
    private Thread ownerOfSlot(ThreadHeap heap, int slot) {
        Thread owner = heap.ownerThread;
        return ((int) owner.threadId() & (byThreadId.length - 1)) == slot ? owner : null;
    }

    private ThreadHeap attach() {
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            return sharedHeaps[(int) (thread.threadId() % sharedHeaps.length)];
        }
        synchronized (this) {
            ThreadHeap adopted = null;
            long now = System.nanoTime();
            for (ThreadHeap heap : heaps) {
                // isAlive() == false orders the dead owner's writes before our reads.
                if (!heap.shared && !heap.ownerThread.isAlive()) {
                    if (adopted == null) {
                        adopted = heap;
                    } else {
                        // Another dead thread's heap, not taken now: its empty pages go back
                        // for live heaps to reuse, rather than at the next sweep (mstress: about
                        // 5% less resident in eight runs). Its current pages stay: giving them
                        // back too took about 15% more off mstress's memory in three runs but
                        // made it about 30% slower (likely: whoever adopts this heap later has
                        // to take fresh pages again).
                        heap.releaseEmptyPages(false);
                    }
                } else {
                    IdlePages.sweep(heap, now); // a live but idle owner's pages that others emptied
                }
            }
            if (adopted != null) {
                adopted.ownerThread = thread;
                adopted.name = nameOf(thread);
                return adopted;
            }
            ThreadHeap heap = new ThreadHeap(space, classes, this, nameOf(thread), false);
            heap.ownerThread = thread;
            ThreadHeap[] grown = Arrays.copyOf(heaps, heaps.length + 1);
            grown[heaps.length] = heap;
            heaps = grown;
            return heap;
        }
    }

    private static String nameOf(Thread thread) {
        return "thread " + thread.getName() + " #" + thread.threadId();
    }

    /** Fresh pages taken since abandoned heaps were last swept; racy, a hint. */
    private int pagesSinceSweep;
    private static final int SWEEP_EVERY = 256;

    /**
     * A heap took a fresh page. Every {@link #SWEEP_EVERY} pages, abandoned heaps that nobody has
     * adopted give back their empty pages, so the memory of threads that died does not stay
     * committed when no new thread comes to adopt it, and live heaps whose owner is idle give
     * back the memory of pages other threads emptied ({@link IdlePages}). A new thread's first
     * call sweeps as well.
     */
    void onFreshPage() {
        // NOTE: a racy counter: a lost increment only delays a sweep.
        if (++pagesSinceSweep >= SWEEP_EVERY) {
            pagesSinceSweep = 0;
            sweep();
        }
    }

    /**
     * Abandoned heaps give back their empty pages, and live heaps whose owner has been idle (see
     * {@link IdlePages#idleNanos}) the pages other threads wholly freed. Run every
     * {@link #SWEEP_EVERY} fresh pages, when memory is short, and on the background purge's ticks.
     */
    synchronized void sweep() {
        long now = System.nanoTime();
        for (ThreadHeap heap : heaps) {
            if (!heap.shared && !heap.ownerThread.isAlive()) {
                heap.releaseEmptyPages(true);
            } else {
                IdlePages.sweep(heap, now); // a live but idle owner's pages that others emptied
            }
        }
    }

    /**
     * Memory is short: abandoned heaps give back their empty pages and medium areas, and so does
     * the calling thread's own heap (it is the owner, so it may).
     */
    void reclaim() {
        sweep();
        ThreadHeap mine = current.get();
        if (!mine.shared || mine.lock.isHeldByCurrentThread()) {
            mine.releaseEmptyPages(false); // inside an allocation: its current pages stay
            mine.medium.releaseFreeAreas();
            mine.releaseArenaChunks();
        }
    }

    /**
     * {@link dev.hedra.NativeAllocator#trim}'s part, heap by heap: the calling thread's own heap
     * and a shared heap whose lock is free give back every empty page (current ones too: a heap
     * that used every small class keeps one per class, about 34 MiB), free medium areas and arena
     * chunks; an abandoned heap the same, as in a sweep; and every other heap
     * the pages that other threads wholly freed, whether or not its owner is idle (the purge is
     * safe at any time, see {@link IdlePages}; the delay only spares an active owner the faults).
     */
    synchronized void trim() {
        Thread caller = Thread.currentThread();
        for (ThreadHeap heap : heaps) {
            if (heap.shared) {
                if (heap.lock.tryLock()) {
                    try {
                        heap.releaseEmptyPages(true);
                    } finally {
                        heap.lock.unlock();
                    }
                }
                heap.purgeIdlePages();
            } else if (heap.ownerThread == caller || !heap.ownerThread.isAlive()) {
                heap.releaseEmptyPages(true); // its owner between calls, or no owner: current pages too
            } else {
                heap.purgeIdlePages();
            }
        }
    }

    ThreadHeap[] all() {
        return heaps;
    }

    /** Arenas still open, summed over the heaps' counts; exact when no thread is mid-call. */
    long openArenas() {
        long open = 0;
        for (ThreadHeap heap : heaps) {
            open += heap.openArenas;
        }
        return open;
    }

    /** A new first-class heap, used under its lock by any thread. */
    synchronized ThreadHeap newHeap(String name) {
        ThreadHeap heap = new ThreadHeap(space, classes, this, name, true);
        ThreadHeap[] grown = Arrays.copyOf(heaps, heaps.length + 1);
        grown[heaps.length] = heap;
        heaps = grown;
        return heap;
    }

    /**
     * Removes a destroyed first-class heap, folding its counters into {@link #retired} so that
     * the merged statistics keep balancing.
     */
    synchronized void retire(ThreadHeap heap) {
        long[] allocations = heap.allocationsPerSlot();
        long[] frees = heap.freesPerSlot();
        for (int c = 0; c < allocations.length; c++) {
            retired.allocations[c] += allocations[c];
            retired.frees[c] += frees[c];
        }
        retired.bytesRequested += heap.bytesRequested;
        retired.peakInUse = Math.max(retired.peakInUse, heap.peakInUse);
        ThreadHeap[] kept = new ThreadHeap[heaps.length - 1];
        int k = 0;
        for (ThreadHeap h : heaps) {
            if (h != heap && k < kept.length) {
                kept[k++] = h;
            }
        }
        heaps = kept;
    }

    /**
     * Runs {@code read} while no sweep, adoption, trim or heap retirement can run: those move
     * pages and fold their counts into their heap's while a snapshot may be walking the same heap,
     * and the background purge's sweeps run at any moment, so without this a snapshot taken while
     * every program thread is stopped could still count a page's frees twice or miss a page.
     */
    synchronized <T> T whileHeld(java.util.function.Supplier<T> read) {
        return read.get();
    }

    /** The counters of destroyed heaps; read racily by snapshots. */
    Retired retired() {
        return retired;
    }

    /** Counters of destroyed first-class heaps, kept so that merged statistics balance. */
    static final class Retired {
        final long[] allocations = new long[SizeClasses.MAX_COUNT + 2];
        final long[] frees = new long[SizeClasses.MAX_COUNT + 2];
        long bytesRequested;
        long peakInUse;
    }

    /** Offers the sum of the heaps' last samples as the allocator's peak. O(heaps). */
    void samplePeak() {
        long total = 0;
        for (ThreadHeap heap : heaps) {
            total += heap.lastSampledInUse;
        }
        synchronized (this) {
            peakBytesInUse = Math.max(peakBytesInUse, total);
        }
    }

    synchronized long peakBytesInUse() {
        return peakBytesInUse;
    }

    /** Records {@code inUse} as a peak candidate; returns the peak. */
    synchronized long offerPeak(long inUse) {
        peakBytesInUse = Math.max(peakBytesInUse, inUse);
        return peakBytesInUse;
    }

    /** Before the address space is unmapped: no heap may hand out its pages again. */
    synchronized void closeAll() {
        for (ThreadHeap heap : heaps) {
            heap.forgetAll();
        }
    }

    String allocatorName() {
        return allocatorName;
    }
}
