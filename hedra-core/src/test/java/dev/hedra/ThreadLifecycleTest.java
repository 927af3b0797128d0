package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads come and go: a thread's heap must not outlive its thread (its pages are adopted or
 * released, blocks freed later by others still count), and virtual threads must not each get a heap.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThreadLifecycleTest {

    private static final int THREADS = 1000;
    private static final int WAVE = 8;
    private static final int BLOCKS_PER_THREAD = 300;
    private static final int CONSUMER_BACKLOG = 2000;

    record Block(long address, long size) {}

    private static long randomSize(SplitMix64 random) {
        int r = random.nextInt(100);
        if (r == 0) {
            return random.between(32 * KiB + 1, 256 * KiB);
        }
        if (r < 5) {
            return random.between(1025, 32 * KiB);
        }
        return random.between(1, 1024);
    }

    private static void checkAndFree(NativeAllocator hedra, Block block, boolean sized) {
        Blocks.checkCookie(block.address(), block.size());
        if (sized) {
            hedra.free(block.address(), block.size());
        } else {
            hedra.free(block.address());
        }
    }

    /**
     * 1,000 short-lived platform threads, 8 at a time, each allocating 300 blocks: half go to a
     * long-lived consumer that frees them later, half are freed by the next wave's threads. The
     * memory the allocator holds must not grow with the number of threads that have come and gone.
     */
    @Test
    void shortLivedPlatformThreadsDoNotAccumulateMemory() throws InterruptedException {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            LinkedBlockingQueue<Block> toConsumer = new LinkedBlockingQueue<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
            Thread consumer = Thread.ofPlatform().name("consumer").daemon(true).start(() -> {
                ArrayDeque<Block> backlog = new ArrayDeque<>();
                boolean sized = false;
                try {
                    while (!done.get() || !toConsumer.isEmpty()) {
                        Block block = toConsumer.poll(10, TimeUnit.MILLISECONDS);
                        if (block != null) {
                            backlog.add(block);
                        }
                        while (backlog.size() > CONSUMER_BACKLOG) {
                            checkAndFree(hedra, backlog.poll(), sized = !sized);
                        }
                    }
                    while (!backlog.isEmpty()) {
                        checkAndFree(hedra, backlog.poll(), sized = !sized);
                    }
                } catch (Throwable t) {
                    consumerFailure.set(t);
                }
            });

            List<Block> carried = new ArrayList<>();
            long committedAfter100 = 0;
            long residentAfter100 = 0;
            int heapsAfter100 = 0;
            try {
                for (int started = 0; started < THREADS; started += WAVE) {
                    List<Block> previous = carried;
                    List<Block> next = Collections.synchronizedList(new ArrayList<>());
                    List<ThreadKind.Body> wave = new ArrayList<>();
                    for (int i = 0; i < WAVE; i++) {
                        int index = started + i;
                        List<Block> toFree = previous.subList(previous.size() * i / WAVE, previous.size() * (i + 1) / WAVE);
                        wave.add(() -> {
                            SplitMix64 random = new SplitMix64(0xACE + index);
                            for (Block block : toFree) {
                                checkAndFree(hedra, block, random.nextInt(2) == 0);
                            }
                            for (int b = 0; b < BLOCKS_PER_THREAD; b++) {
                                long size = randomSize(random);
                                long address = hedra.malloc(size);
                                Blocks.writeCookie(address, size);
                                Block block = new Block(address, size);
                                if (b % 2 == 0) {
                                    toConsumer.add(block);
                                } else {
                                    next.add(block);
                                }
                            }
                        });
                    }
                    ThreadKind.PLATFORM.runAll(Duration.ofSeconds(60), wave);
                    carried = new ArrayList<>(next);
                    if (started + WAVE == 104) { // about 100 threads have lived and died
                        AllocatorStats stats = hedra.stats();
                        committedAfter100 = stats.bytesCommitted();
                        residentAfter100 = Resident.bytes();
                        heapsAfter100 = stats.heaps().size();
                    }
                    if (consumerFailure.get() != null) {
                        break;
                    }
                }
                AllocatorStats stats = hedra.stats();
                long committedAfter1000 = stats.bytesCommitted();
                long residentAfter1000 = Resident.bytes();
                long committed100 = committedAfter100;
                System.out.printf("thread life cycle: committed %,d KiB after 100 threads, %,d KiB after 1,000;"
                        + " resident %,d -> %,d KiB; heaps %d -> %d%n", committedAfter100 / KiB, committedAfter1000 / KiB,
                        residentAfter100 / KiB, residentAfter1000 / KiB, heapsAfter100, stats.heaps().size());
                assertTrue(committedAfter1000 <= 3 * committedAfter100,
                        () -> "committed memory grew with the number of dead threads: " + committed100 / KiB
                                + " KiB after 100 threads, " + committedAfter1000 / KiB + " KiB after 1,000:\n" + stats);
                long residentGrowth = residentAfter1000 - residentAfter100;
                assertTrue(residentGrowth < 512 * MiB, // loose: the Java heap may grow too
                        () -> "resident memory grew by " + residentGrowth / MiB + " MiB from 100 to 1,000 threads");
                int heaps100 = heapsAfter100;
                assertTrue(stats.heaps().size() <= Math.max(64, heaps100),
                        () -> "heaps of dead threads are kept: " + stats.heaps().size() + " heaps after 1,000 threads ("
                                + heaps100 + " after 100):\n" + stats);
            } finally {
                done.set(true);
                consumer.join(Duration.ofSeconds(60));
                for (Block block : carried) {
                    checkAndFree(hedra, block, true);
                }
            }
            if (consumerFailure.get() != null) {
                throw new AssertionError("the consumer failed", consumerFailure.get());
            }
            assertTrue(!consumer.isAlive(), "the consumer did not finish");
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.liveBlocks(), () -> "live blocks at the end:\n" + stats);
            assertEquals(0, stats.bytesInUse(), () -> "bytes in use at the end:\n" + stats);
        }
    }

    /**
     * Two threads fill ten pages of 1 KiB blocks each, free them all and die together, so that
     * their heaps keep nine empty pages each (within the empty-page budget). The next thread to
     * start adopts one of the two heaps; the other's empty pages go back to the address space
     * then, not only at the next periodic sweep of abandoned heaps.
     */
    @Test
    void aDeadHeapNoThreadAdoptsGivesBackItsEmptyPagesWhenAThreadStarts() throws Exception {
        try (NativeAllocator hedra = Hedra.builder().name("dead-heaps").build()) {
            hedra.free(hedra.malloc(8), 8); // this thread's heap exists before the others die
            int blocks = 640; // 64 blocks of 1 KiB in a 64 KiB page: ten pages
            CountDownLatch allFilled = new CountDownLatch(2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> fillers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                fillers.add(Thread.ofPlatform().start(() -> {
                    try {
                        long[] addresses = new long[blocks];
                        for (int i = 0; i < blocks; i++) {
                            addresses[i] = hedra.malloc(1024);
                        }
                        allFilled.countDown();
                        allFilled.await(); // both heaps are in use at once: two heaps, not one adopted
                        for (long address : addresses) {
                            hedra.free(address, 1024);
                        }
                    } catch (Throwable t2) {
                        failure.set(t2);
                    }
                }));
            }
            for (Thread filler : fillers) {
                filler.join();
            }
            assertEquals(null, failure.get());
            AllocatorStats before = hedra.stats();
            assertEquals(3, before.heaps().size(), () -> "expected this thread's and two dead heaps:\n" + before);

            // 1 KiB: a class the adopted heap has pages of, so that the new thread commits nothing.
            Thread.ofPlatform().start(() -> hedra.free(hedra.malloc(1024), 1024)).join();

            AllocatorStats after = hedra.stats();
            long given = before.bytesCommitted() - after.bytesCommitted();
            assertTrue(given >= 9 * 64 * KiB, () -> "committed " + before.bytesCommitted() / KiB + " KiB before the"
                    + " new thread, " + after.bytesCommitted() / KiB + " KiB after: the dead heap it did not adopt"
                    + " kept its empty pages\n" + after);
        }
    }

    /**
     * A million virtual threads, 10,000 alive at a time, each with two blocks: one freed by itself
     * (after a yield, so maybe on another carrier), one passed to a later thread. The number of
     * heaps must stay small while they are all alive.
     */
    @Test
    void aMillionVirtualThreadsShareFewHeaps() throws Exception {
        int total = 1_000_000;
        int batch = 10_000;
        int slots = 1024;
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            AtomicReferenceArray<Block> exchange = new AtomicReferenceArray<>(slots);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int mostHeaps = 0;
            String worst = "";
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int started = 0; started < total && failure.get() == null; started += batch) {
                    CountDownLatch allocated = new CountDownLatch(batch);
                    CountDownLatch release = new CountDownLatch(1);
                    CountDownLatch finished = new CountDownLatch(batch);
                    for (int i = 0; i < batch; i++) {
                        int index = started + i;
                        executor.execute(() -> {
                            try {
                                SplitMix64 random = new SplitMix64(index);
                                long ownSize = random.between(1, 512);
                                long own = hedra.malloc(ownSize);
                                Blocks.writeCookie(own, ownSize);
                                long passedSize = random.between(1, 4096);
                                long passed = hedra.malloc(passedSize);
                                Blocks.writeCookie(passed, passedSize);
                                allocated.countDown();
                                release.await();
                                Thread.yield();
                                checkAndFree(hedra, new Block(own, ownSize), random.nextInt(2) == 0);
                                Block out = exchange.getAndSet(random.nextInt(slots), new Block(passed, passedSize));
                                if (out != null) {
                                    checkAndFree(hedra, out, random.nextInt(2) == 0);
                                }
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                                allocated.countDown();
                            } finally {
                                finished.countDown();
                            }
                        });
                    }
                    assertTrue(allocated.await(60, TimeUnit.SECONDS), "virtual threads did not allocate");
                    AllocatorStats stats = hedra.stats(); // 10,000 virtual threads alive, each holding blocks
                    if (stats.heaps().size() > mostHeaps) {
                        mostHeaps = stats.heaps().size();
                        worst = stats.toString();
                    }
                    release.countDown();
                    assertTrue(finished.await(60, TimeUnit.SECONDS), "virtual threads did not finish");
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a virtual thread failed", failure.get());
            }
            int heaps = mostHeaps;
            String report = worst;
            System.out.printf("virtual threads: at most %d heaps with %,d alive%n", heaps, batch);
            assertTrue(heaps < 64, () -> heaps + " heaps with 10,000 virtual threads alive:\n" + report);
            for (int i = 0; i < slots; i++) {
                Block block = exchange.getAndSet(i, null);
                if (block != null) {
                    checkAndFree(hedra, block, false);
                }
            }
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.liveBlocks(), () -> "live blocks at the end:\n" + stats);
            assertEquals(2L * total, stats.allocations(), () -> "allocations:\n" + stats);
        }
    }
}
