package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hot paths find a thread's heap (and its current pages) in a table indexed by thread id,
 * and trust a slot only after checking that its heap belongs to the calling thread. Here more
 * platform threads live at once than the table first has slots, so ids collide and the table
 * grows while they allocate; then threads die and new ones take their slots and adopt their
 * heaps. Every block carries a cookie, no two live blocks overlap, and the counts balance.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThreadTableTest {

    private static final int LIVE_THREADS = 200; // the table starts with 64 slots
    private static final int BLOCKS = 400;

    record Block(long address, long size) {}

    @Test
    void collidingAndReplacedThreadsNeverShareABlock() throws Exception {
        try (NativeAllocator hedra = Hedra.builder().name("thread-table").build()) {
            ConcurrentLinkedQueue<Block> survivors = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            CyclicBarrier allAllocated = new CyclicBarrier(LIVE_THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < LIVE_THREADS; t++) {
                int seed = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        SplitMix64 random = new SplitMix64(seed);
                        List<Block> mine = new ArrayList<>();
                        for (int i = 0; i < BLOCKS; i++) {
                            long size = random.between(1, 1024); // the sizes the table's fast path serves
                            long address = hedra.malloc(size);
                            Blocks.writeCookie(address, size);
                            mine.add(new Block(address, size));
                        }
                        allAllocated.await(); // every thread alive at once: colliding slots
                        for (int i = 0; i < mine.size(); i++) {
                            Block block = mine.get(i);
                            Blocks.checkCookie(block.address(), block.size());
                            if (i % 4 == 0) {
                                survivors.add(block); // freed later by threads that take the slots
                            } else if (i % 2 == 0) {
                                hedra.free(block.address(), block.size());
                            } else {
                                hedra.free(block.address());
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> "first failure: " + failures.peek());
            assertNoOverlap(survivors);

            // The next threads reuse the dead threads' ids' slots and adopt their heaps.
            for (int wave = 0; wave < 20; wave++) {
                List<Thread> next = new ArrayList<>();
                for (int t = 0; t < 10; t++) {
                    int seed = 1000 + wave * 10 + t;
                    next.add(Thread.ofPlatform().start(() -> {
                        try {
                            SplitMix64 random = new SplitMix64(seed);
                            List<Block> fresh = new ArrayList<>();
                            for (int i = 0; i < 50; i++) {
                                long size = random.between(1, 1024);
                                long address = hedra.malloc(size);
                                Blocks.writeCookie(address, size);
                                fresh.add(new Block(address, size));
                                Block old = survivors.poll();
                                if (old != null) {
                                    Blocks.checkCookie(old.address(), old.size());
                                    hedra.free(old.address(), old.size());
                                }
                            }
                            for (Block block : fresh) {
                                Blocks.checkCookie(block.address(), block.size());
                                hedra.free(block.address(), block.size());
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
                for (Thread thread : next) {
                    thread.join();
                }
            }
            assertTrue(failures.isEmpty(), () -> "first failure: " + failures.peek());
            for (Block block; (block = survivors.poll()) != null; ) {
                Blocks.checkCookie(block.address(), block.size());
                hedra.free(block.address());
            }
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.liveBlocks(), stats::toString);
            assertEquals(0, stats.bytesInUse(), stats::toString);
        }
    }

    private static void assertNoOverlap(Iterable<Block> blocks) {
        TreeMap<Long, Long> byAddress = new TreeMap<>();
        for (Block block : blocks) {
            Long previous = byAddress.put(block.address(), block.size());
            assertEquals(null, previous, () -> "two live blocks at " + Blocks.hex(block.address()));
        }
        long end = 0;
        for (Map.Entry<Long, Long> e : byAddress.entrySet()) {
            long start = e.getKey();
            assertTrue(start >= end, () -> "blocks overlap at " + Blocks.hex(start));
            end = start + e.getValue();
        }
    }
}
