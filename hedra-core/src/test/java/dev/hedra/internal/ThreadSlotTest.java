package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.hedra.AllocatorStats;
import dev.hedra.Hedra;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A slot of the thread-id tables may hold another thread's heap (ids that collide, a dead
 * thread's heap adopted by a live one). The hot paths must check that the pages they find are
 * their own thread's: here a thread's slot is made to hold another live thread's pages, as a
 * collision would, and its mallocs and frees must still go to its own heap.
 */
class ThreadSlotTest {

    @Test
    void pagesOfAnotherLiveThreadInTheSlotAreNotUsed() throws Exception {
        HedraAllocator hedra = (HedraAllocator) Hedra.builder().name("slots").build();
        try {
            CountDownLatch aReady = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            AtomicLong aBlock = new AtomicLong();
            Thread a = Thread.ofPlatform().name("slot-owner-a").start(() -> {
                aBlock.set(hedra.malloc(64));
                aReady.countDown();
                try {
                    bDone.await(); // alive while b runs: its heap is not up for adoption
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hedra.free(aBlock.get(), 64);
            });
            aReady.await();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread b = Thread.ofPlatform().name("slot-visitor-b").start(() -> {
                try {
                    hedra.free(hedra.malloc(64), 64); // b's own heap, in b's slot
                    Thread self = Thread.currentThread();
                    SlabPage[][] table = hedra.pagesTable;
                    int bSlot = (int) self.threadId() & (table.length - 1);
                    SlabPage[] aPages = table[(int) a.threadId() & (table.length - 1)];
                    assertNotSame(table[bSlot], aPages);
                    table[bSlot] = aPages; // as if the ids collided
                    for (int i = 0; i < 10; i++) {
                        long sized = hedra.malloc(64);
                        long unsized = hedra.malloc(40);
                        hedra.free(sized, 64);
                        hedra.free(unsized);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    bDone.countDown();
                }
            });
            b.join();
            a.join();
            assertEquals(null, failure.get());
            AllocatorStats stats = hedra.stats();
            AllocatorStats.HeapStats ofA = heapNamed(stats, "slot-owner-a");
            AllocatorStats.HeapStats ofB = heapNamed(stats, "slot-visitor-b");
            assertEquals(1, ofA.allocations(), stats::toString);
            assertEquals(21, ofB.allocations(), stats::toString);
            assertEquals(0, stats.liveBlocks(), stats::toString);
        } finally {
            hedra.close();
        }
    }

    private static AllocatorStats.HeapStats heapNamed(AllocatorStats stats, String thread) {
        return stats.heaps().stream().filter(h -> h.name().contains(thread)).findFirst()
                .orElseThrow(() -> new AssertionError("no heap of " + thread + ":\n" + stats));
    }
}
