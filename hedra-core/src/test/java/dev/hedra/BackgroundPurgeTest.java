package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The background purge ({@link HedraBuilder#backgroundPurge}): memory whose purge delay has passed
 * goes back to the system while the program makes no call at all, which without the timer it
 * does not. Each test runs the same steps on an allocator with the timer and on one without it,
 * and waits with no call to either but {@code stats()}: the allocator without the timer shows
 * that the memory was there to give back, and that only the timer gave it back.
 */
class BackgroundPurgeTest {

    private static final long MiB = 1L << 20;
    private static final Duration DELAY = Duration.ofMillis(300);
    /** How long a test waits for the timer; it needs about one and a half delays. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /**
     * For the idle owner's pages: an owner counts as idle after a fiftieth of the delay (200 ms),
     * which the remote frees take far less than, so none of them purges a page as it frees its
     * last block; the timer ticks every second.
     */
    private static final Duration IDLE_CASE_DELAY = Duration.ofSeconds(10);

    private static NativeAllocator build(boolean timer) {
        return build(timer, DELAY);
    }

    private static NativeAllocator build(boolean timer, Duration delay) {
        return Hedra.builder().purgeDelay(delay).backgroundPurge(timer).build();
    }

    private static long held(AllocatorStats stats) {
        return stats.bytesCommitted() + stats.bytesRetained();
    }

    /** Polls {@code hedra}'s statistics (no other call) until {@code done} holds or patience runs out. */
    private static AllocatorStats await(NativeAllocator hedra, Predicate<AllocatorStats> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        AllocatorStats stats = hedra.stats();
        while (!done.test(stats) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            stats = hedra.stats();
        }
        return stats;
    }

    @Test
    void anEndedThreadsMemoryGoesBackWithNoFurtherCall() throws InterruptedException {
        try (NativeAllocator timed = build(true); NativeAllocator untimed = build(false)) {
            for (NativeAllocator hedra : new NativeAllocator[] {timed, untimed}) {
                hedra.free(hedra.malloc(8));  // this thread's own heap: the ended thread's is not adopted
                // 20 MiB on a thread that ends: its heap keeps 4 MiB of empty pages, runs wait
                Blocks.burstOnEndedThread(hedra, 100_000, 200);
                long huge = hedra.malloc(24 * MiB);
                Blocks.segment(huge, 24 * MiB).fill((byte) 1);
                hedra.free(huge);             // retained for reuse if the budget allows
            }

            AllocatorStats after = await(timed, stats -> held(stats) <= 2 * MiB && stats.bytesRetained() == 0);
            AllocatorStats control = untimed.stats();

            assertTrue(held(control) >= 6 * MiB,
                    () -> "without the timer the memory stays until a call comes:\n" + control);
            assertEquals(0, after.bytesRetained(), () -> "nothing waits past the delay:\n" + after);
            assertTrue(held(after) <= 2 * MiB, () -> "only this thread's pages stay:\n" + after);

            // Both go on working; the timed one faults its memory in again.
            Blocks.roundTrip(timed, 200);
            Blocks.roundTrip(untimed, 200);
        }
    }

    @Test
    void pagesOthersFreedGoBackOnceTheirOwnerIsIdle() throws Exception {
        try (NativeAllocator timed = build(true, IDLE_CASE_DELAY);
                NativeAllocator untimed = build(false, IDLE_CASE_DELAY)) {
            Owner timedOwner = new Owner(timed);
            Owner untimedOwner = new Owner(untimed);
            timedOwner.freeEverythingElsewhere();
            untimedOwner.freeEverythingElsewhere();

            AllocatorStats after = await(timed, stats -> stats.bytesPurgedIdle() >= 8 * MiB);
            AllocatorStats control = untimed.stats();

            assertEquals(0, control.bytesPurgedIdle(), () -> "without the timer nothing is purged:\n" + control);
            assertTrue(after.bytesPurgedIdle() >= 8 * MiB, () -> "the idle owner's emptied pages:\n" + after);

            timedOwner.comeBack();   // its purged pages fault in again and serve
            untimedOwner.comeBack();
            assertEquals(0, timed.stats().liveBlocks());
            assertEquals(0, untimed.stats().liveBlocks());
        }
    }

    /** A thread that allocates a working set, waits while others free it, then allocates again. */
    private static final class Owner {
        private static final int COUNT = 40_000;
        private static final long SIZE = 256;

        private final NativeAllocator hedra;
        private final long[] blocks = new long[COUNT];
        private final CountDownLatch allocated = new CountDownLatch(1);
        private final CountDownLatch resume = new CountDownLatch(1);
        private final Thread thread;
        private volatile Throwable failure;

        Owner(NativeAllocator hedra) throws InterruptedException {
            this.hedra = hedra;
            this.thread = new Thread(this::run);
            thread.start();
            allocated.await();
        }

        private void run() {
            try {
                fill();
                allocated.countDown();
                resume.await();
                fill();
                for (int i = 0; i < COUNT; i++) {
                    Blocks.checkCookie(blocks[i], SIZE);
                    hedra.free(blocks[i], SIZE);
                }
            } catch (Throwable t) {
                failure = t;
                allocated.countDown();
            }
        }

        private void fill() {
            for (int i = 0; i < COUNT; i++) {
                blocks[i] = hedra.malloc(SIZE);
                Blocks.writeCookie(blocks[i], SIZE);
            }
        }

        /** Every block freed by the calling thread, not the owner. */
        void freeEverythingElsewhere() {
            for (int i = 0; i < COUNT; i++) {
                Blocks.checkCookie(blocks[i], SIZE);
                hedra.free(blocks[i], SIZE);
            }
        }

        void comeBack() throws InterruptedException {
            resume.countDown();
            thread.join();
            if (failure != null) {
                throw new AssertionError("owner thread failed", failure);
            }
        }
    }

    @Test
    void blocksInUseKeepTheirContentsWhileTheTimerTicks() throws Exception {
        // Ticks every 10 ms while threads come and go, blocks move between them, and pages empty.
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofMillis(20)).build()) {
            int rounds = 40;
            int count = 5_000;
            for (int round = 0; round < rounds; round++) {
                long[] blocks = new long[count];
                long[] sizes = new long[count];
                int seed = round;
                Thread producer = new Thread(() -> {
                    for (int i = 0; i < count; i++) {
                        sizes[i] = 16 + (i * 7919L + seed) % 3000;
                        blocks[i] = hedra.malloc(sizes[i]);
                        Blocks.writeCookie(blocks[i], sizes[i]);
                    }
                });
                producer.start();
                producer.join();
                Thread.sleep(round % 3 * 15); // sometimes past the delay: the ended heap is swept
                Thread consumer = new Thread(() -> {
                    for (int i = 0; i < count; i += 2) {
                        Blocks.checkCookie(blocks[i], sizes[i]);
                        hedra.free(blocks[i], sizes[i]);
                    }
                });
                consumer.start();
                consumer.join();
                for (int i = 1; i < count; i += 2) {
                    Blocks.checkCookie(blocks[i], sizes[i]);
                    hedra.free(blocks[i], sizes[i]);
                }
            }
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void codeThatLocksTheAllocatorDoesNotHoldUpTheTimer() throws InterruptedException {
        try (NativeAllocator hedra = build(true)) {
            hedra.free(hedra.malloc(8));
            Blocks.burstOnEndedThread(hedra, 100_000, 200);
            synchronized (hedra) { // a user's own use of the object's monitor
                AllocatorStats after = await(hedra, stats -> held(stats) <= 2 * MiB && stats.bytesRetained() == 0);
                assertTrue(held(after) <= 2 * MiB, () -> "the timer gave the memory back meanwhile:\n" + after);
            }
        }
    }

    @Test
    void statisticsBalanceWhileTheTimerSweeps() throws InterruptedException {
        // Ended threads' heaps hold many empty pages (a large budget), which ticks every 10 ms
        // give back, folding each page's counts into its heap's while snapshots are taken.
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofMillis(20))
                .emptyPageBudget(256L << 20).build()) {
            hedra.free(hedra.malloc(8)); // this thread's heap: the ended threads' are not adopted
            for (int round = 0; round < 12; round++) {
                Thread worker = new Thread(() -> {
                    long[] blocks = new long[150_000];
                    for (int i = 0; i < blocks.length; i++) {
                        blocks[i] = hedra.malloc(16 + (i % 64) * 16);
                    }
                    for (long block : blocks) {
                        hedra.free(block);
                    }
                });
                worker.start();
                worker.join();
                long until = System.nanoTime() + 150_000_000L;
                while (System.nanoTime() < until) { // nothing is live, and no program thread runs
                    AllocatorStats stats = hedra.stats();
                    assertEquals(0, stats.liveBlocks(), stats::toString);
                }
            }
        }
    }

    @Test
    void allocatorsCloseWhileTheirTimersTick() throws InterruptedException {
        for (int i = 0; i < 30; i++) {
            NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofMillis(20)).build();
            Blocks.burstOnEndedThread(hedra, 100_000, 200);
            Thread.sleep(i % 4 * 5);
            hedra.close(); // waits for a tick in progress; none runs after
        }
        Thread.sleep(50);
    }
}
