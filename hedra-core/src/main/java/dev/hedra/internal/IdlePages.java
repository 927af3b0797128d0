package dev.hedra.internal;

/**
 * Memory an idle owner cannot give back: pages whose every block another thread freed.
 *
 * <p>Only a page's owner collects the frees other threads make into it, and only on its slow
 * path. An owner that allocated a working set and handed it to other threads, then stopped
 * allocating (a loader thread that waits, a producer between bursts), would keep those pages
 * committed and resident however long it waits. A page in that state has no live block, and its
 * owner hands out none of its blocks before collecting (see {@link SlabPage}), so another thread
 * may give its memory back to the system in place, as {@code madvise(MADV_DONTNEED)}: the page
 * stays its owner's, and its memory faults in again, zeroed, when the owner uses it.
 *
 * <p>That is done when the owner has not refilled for {@link #idleNanos a fiftieth of the purge
 * delay} (it is idle: an owner that comes back soon would only fault the memory in again), at
 * two moments:
 * <ul>
 *   <li>a remote free completes a word of a page's deferred bitmap and the whole page is freed
 *       ({@link #onWordFreed}, from {@link RemoteFrees#freeRemote});
 *   <li>the registry's sweeps ({@link #sweep}), for pages whose last block was freed while the
 *       owner was still active.
 * </ul>
 * A purged page still counts as committed (the memory limit counts it, as the owner may use it
 * again at any time).
 */
final class IdlePages {

    private IdlePages() {}

    /**
     * How long an owner goes without a refill before it counts as idle: a fiftieth of the purge
     * delay, 20 ms by default (none when the delay is 0). Not the whole delay: that is how long
     * memory the allocator could hand out again at any moment waits, and these pages are not such
     * memory. No thread can hand out their blocks before their owner collects them, which it does
     * on a refill, and an allocating thread refills every few hundred microseconds (a 64 KiB page
     * of 64 B blocks lasts 1,024 allocations); an owner that has not for 20 ms is waiting or busy
     * elsewhere. With the whole delay, the pages of a thread that allocated a working set and
     * handed it to others (larson's main thread) stayed resident through the peak of a workload
     * shorter than a second: in six interleaved runs of larson at the suite's default scale, the
     * peak went from 18.6-23.9 MiB (median 22.1) to 18.9-20.3 (19.9), larson-sized from 18.0-23.9
     * (22.6) to 18.5-20.3 (19.1), with times and the other cross-thread workloads' figures
     * overlapping.
     */
    static long idleNanos(AddressSpace space) {
        return space.purgeDelayNanos() / 50;
    }

    /** Any thread: a remote free of block {@code index} filled a word of its page's deferred bits. */
    static void onWordFreed(SlabPage page, int index) {
        PageOwner owner = page.owner;
        if (page.allFreedRemotely(index)
                && owner.idleFor(idleNanos(owner.space), System.nanoTime())) {
            page.tryPurgeIdle();
        }
    }

    /**
     * Any thread: purges the wholly remote-freed pages of {@code heap} if its owner is idle.
     * Returns the bytes given back. O(pages of the heap) when it is idle with frees pending.
     */
    static long sweep(ThreadHeap heap, long now) {
        if (!heap.remoteFrees.hasPending() || !heap.idleFor(idleNanos(heap.space), now)) {
            return 0; // a page wholly freed remotely is on the queue until its owner collects it
        }
        return heap.purgeIdlePages();
    }
}
