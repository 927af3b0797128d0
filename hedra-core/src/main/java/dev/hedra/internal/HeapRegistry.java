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
 * Lock order: registry, then a heap's medium spans, then the address space.
 */
final class HeapRegistry {

    private final AddressSpace space;
    private final String allocatorName;
    private final ThreadHeap[] sharedHeaps;
    private final ThreadLocal<ThreadHeap> current = new ThreadLocal<>() {
        @Override
        protected ThreadHeap initialValue() {
            return attach();
        }
    };
    /** Every heap, owned and shared; copy on write under this object's lock. */
    private volatile ThreadHeap[] heaps;
    private long peakBytesInUse; // guarded by this
    private long hugeBytesInUse; // guarded by this

    HeapRegistry(AddressSpace space, String allocatorName) {
        this.space = space;
        this.allocatorName = allocatorName;
        int stripes = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
        sharedHeaps = new ThreadHeap[stripes];
        for (int i = 0; i < stripes; i++) {
            sharedHeaps[i] = new ThreadHeap(space, this, "virtual-threads-" + i, true);
        }
        heaps = sharedHeaps.clone();
        space.onPressure(this::reclaim);
    }

    /** The calling thread's heap. The hot path: one thread-local lookup. */
    ThreadHeap current() {
        return current.get();
    }

    private ThreadHeap attach() {
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            return sharedHeaps[(int) (thread.threadId() % sharedHeaps.length)];
        }
        synchronized (this) {
            for (ThreadHeap heap : heaps) {
                // isAlive() == false orders the dead owner's writes before our reads.
                if (!heap.shared && !heap.ownerThread.isAlive()) {
                    heap.ownerThread = thread;
                    heap.name = nameOf(thread);
                    return heap;
                }
            }
            ThreadHeap heap = new ThreadHeap(space, this, nameOf(thread), false);
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

    /**
     * Memory is short: abandoned heaps give back their empty pages and medium areas, and so does
     * the calling thread's own heap (it is the owner, so it may).
     */
    void reclaim() {
        synchronized (this) {
            for (ThreadHeap heap : heaps) {
                if (!heap.shared && !heap.ownerThread.isAlive()) {
                    heap.releaseEmptyPages(true);
                }
            }
        }
        ThreadHeap mine = current.get();
        if (!mine.shared || mine.lock.isHeldByCurrentThread()) {
            mine.releaseEmptyPages(false);
            mine.medium.releaseFreeAreas();
        }
    }

    ThreadHeap[] all() {
        return heaps;
    }

    /** Records the merged bytes in use as a peak candidate; called when memory is taken. */
    void samplePeak() {
        long total = hugeBytesInUse();
        for (ThreadHeap heap : heaps) {
            total += heap.bytesInUse();
        }
        synchronized (this) {
            peakBytesInUse = Math.max(peakBytesInUse, total);
        }
    }

    synchronized long peakBytesInUse() {
        return peakBytesInUse;
    }

    synchronized void addHugeBytes(long bytes) {
        hugeBytesInUse += bytes;
    }

    synchronized long hugeBytesInUse() {
        return hugeBytesInUse;
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
