package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link StressTest} for fixed-size pools: every worker owns one pool per block size (small,
 * odd, page-sized) and allocates from them; a block gets a cookie, then is either kept and freed
 * later by its owner or put in a shared slot, where another worker takes it out, checks its
 * cookie and frees it remotely (to a pool it does not own). The owners' frees and collections
 * run against the other workers' remote frees of the same pages, on pages of every size a pool
 * uses. Some blocks are taken in bulk ({@link FixedPool#allocate(long[], int, int)}) and some
 * freed in bulk ({@link FixedPool#free(long[], int, int)}): gathered per pool, in the order they
 * came out, and given back together by the owner or (block by block, deferred) by another worker.
 * Operations from {@code -Dhedra.stress.operations}, as for {@link StressTest}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolStressTest {

    private static final long[] BLOCK_SIZES = {8, 24, 64, 104, 256, 1000, 4096, 20_000};
    private static final int SLOTS = 2048;
    private static final int KEPT = 512;
    private static final long SEED = 0x9001_5EEDL;
    /** The most blocks one bulk allocation takes. */
    private static final int BULK_MAX = 100;

    record Block(FixedPool pool, long address) {}

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void poolBlocksMovingBetweenThreads(ThreadKind kind) throws InterruptedException {
        int workers = 4;
        long perWorker = Math.max(10_000, StressTest.OPERATIONS / 2 / workers);
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            AtomicReferenceArray<Block> slots = new AtomicReferenceArray<>(SLOTS);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong operationsDone = new AtomicLong();
            List<FixedPool> allPools = Collections.synchronizedList(new ArrayList<>());
            // The owners stay alive until every worker is done, so no free finds its pool's
            // owner dead and the pool closable under it.
            CountDownLatch done = new CountDownLatch(workers);
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < workers; t++) {
                SplitMix64 random = new SplitMix64(SEED + 100L * kind.ordinal() + t);
                bodies.add(() -> {
                    try {
                        FixedPool[] pools = new FixedPool[BLOCK_SIZES.length];
                        for (int i = 0; i < pools.length; i++) {
                            pools[i] = hedra.newPool(BLOCK_SIZES[i]);
                            allPools.add(pools[i]);
                        }
                        operationsDone.addAndGet(work(pools, slots, stop, random, perWorker));
                    } catch (Throwable failure) {
                        stop.set(true);
                        throw failure;
                    } finally {
                        done.countDown();
                    }
                    done.await(240, TimeUnit.SECONDS);
                });
            }
            try {
                kind.runAll(Duration.ofSeconds(260), bodies);
            } finally {
                stop.set(true);
            }
            assertEquals(workers * perWorker, operationsDone.get(), "operations done");
            // What is left in the slots: freed from this thread, to pools whose owners are gone.
            for (int i = 0; i < SLOTS; i++) {
                Block block = slots.getAndSet(i, null);
                if (block != null) {
                    checkAndFree(block);
                }
            }
            for (FixedPool pool : allPools) {
                assertEquals(0, pool.liveBlocks(), () -> pool + ": blocks left after every free");
                pool.close(); // its owner is dead: anyone may close it
            }
        }
    }

    /** One worker's loop; returns the operations it did. */
    private static long work(FixedPool[] pools, AtomicReferenceArray<Block> slots, AtomicBoolean stop,
            SplitMix64 random, long operations) {
        Block[] kept = new Block[KEPT];
        Map<FixedPool, Batch> batches = new IdentityHashMap<>();
        long[] taken = new long[BULK_MAX];
        long op = 0;
        for (; op < operations; op++) {
            if ((op & 255) == 0) {
                if (stop.get()) {
                    break;
                }
                Thread.yield();
            }
            int r = random.nextInt(100);
            if (r < 58) {
                FixedPool pool = pools[random.nextInt(pools.length)];
                long address = pool.allocate();
                place(new Block(pool, address), kept, slots, batches, random);
            } else if (r < 60) {
                FixedPool pool = pools[random.nextInt(pools.length)];
                int count = 1 + random.nextInt(BULK_MAX);
                pool.allocate(taken, 0, count);
                for (int i = 0; i < count; i++) {
                    place(new Block(pool, taken[i]), kept, slots, batches, random);
                }
            } else {
                Block out = slots.getAndSet(random.nextInt(SLOTS), null);
                if (out != null) {
                    release(out, batches, random);
                }
            }
        }
        for (Block block : kept) {
            if (block != null) {
                release(block, batches, random);
            }
        }
        for (Batch batch : batches.values()) {
            batch.flush();
        }
        return op;
    }

    /** A new block gets its cookie and is kept here or put in a shared slot. */
    private static void place(Block block, Block[] kept, AtomicReferenceArray<Block> slots,
            Map<FixedPool, Batch> batches, SplitMix64 random) {
        Blocks.writeCookie(block.address(), block.pool().blockSize());
        Block out;
        if (random.nextInt(2) == 0) {
            // Kept here, freed by this owner later.
            int i = random.nextInt(KEPT);
            out = kept[i];
            kept[i] = block;
        } else {
            // Shared: whoever takes it out frees it, most likely another worker.
            out = slots.getAndSet(random.nextInt(SLOTS), block);
        }
        if (out != null) {
            release(out, batches, random);
        }
    }

    /** Checks the block's cookie and frees it now, or gathers it for a bulk free of its pool. */
    private static void release(Block block, Map<FixedPool, Batch> batches, SplitMix64 random) {
        if (random.nextInt(4) != 0) {
            checkAndFree(block);
            return;
        }
        Blocks.checkCookie(block.address(), block.pool().blockSize());
        Batch batch = batches.computeIfAbsent(block.pool(), Batch::new);
        batch.addresses[batch.count++] = block.address();
        if (batch.count == batch.addresses.length || random.nextInt(32) == 0) {
            batch.flush();
        }
    }

    /** Blocks of one pool waiting to be freed together. */
    private static final class Batch {
        final FixedPool pool;
        final long[] addresses = new long[64];
        int count;

        Batch(FixedPool pool) {
            this.pool = pool;
        }

        void flush() {
            pool.free(addresses, 0, count);
            count = 0;
        }
    }

    private static void checkAndFree(Block block) {
        Blocks.checkCookie(block.address(), block.pool().blockSize());
        block.pool().free(block.address());
    }
}
