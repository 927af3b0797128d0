package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OLogN's alloc-test ("Testing Memory Allocators: ptmalloc2 vs tcmalloc vs hoard vs jemalloc
 * While Trying to Simulate Real-World Loads", ithare.com, 2018), as mimalloc-bench runs it
 * ({@code alloc-test N}): each thread keeps a table of slots, half filled at the start; then it
 * picks a slot with a Pareto 80/20 rule applied six times over (a small hot set gets most of the
 * picks) and frees the block there, or allocates one if the slot is empty. Sizes follow a power
 * law up to 1 KiB: the doubling is picked with probability halving at each step up, the size is
 * uniform within it. Every byte of a block is written when it is allocated and read before it is
 * freed. Threads do not share blocks.
 */
public final class AllocTest extends PortedWorkload {

    private static final int THREADS = 2;
    private static final int SLOTS = 1 << 16; // per thread
    private static final int MAX_SIZE_SHIFT = 10; // 1 KiB
    private static final long PICKS_PER_THREAD = 15_000_000; // at scale 1.0
    private static final int PARETO_LEVELS = 6;
    private static final long SEED = 0xA110C;

    public AllocTest() {
        super("alloc-test", "alloc-test: " + THREADS + " threads (one per core, as alloc-testN) each replace"
                + " blocks in " + SLOTS + " slots picked by a six-fold 80/20 rule (a hot set), sizes on a power"
                + " law up to 1 KiB, every byte written and read; stresses small-block churn with locality.",
                false);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long picks = scaled(PICKS_PER_THREAD, scale, 1_000);
        TimeLimit limit = TimeLimit.forScale(scale);
        AtomicLong operations = new AtomicLong();
        AtomicLong picksDone = new AtomicLong();
        long[] start = new long[1];
        // Each thread fills its table before the clock starts, as the original times setup apart.
        CyclicBarrier filled = new CyclicBarrier(THREADS, () -> {
            PortedWorkload.checkpoint(meter);
            start[0] = System.nanoTime();
        });
        Workers.run(name(), THREADS, thread -> {
            SplitMix64 random = SplitMix64.forThread(SEED, thread);
            LiveBytes live = new LiveBytes(meter, 1024);
            long[] addresses = new long[SLOTS];
            int[] sizes = new int[SLOTS];
            for (int slot = 0; slot < SLOTS; slot++) {
                if (random.percent(50)) {
                    sizes[slot] = nextSize(random);
                    addresses[slot] = allocate(allocator, sizes[slot], live);
                }
            }
            live.flush();
            await(filled);
            long pick = 0;
            while (pick < picks && !limit.passed()) {
                long batchEnd = Math.min(picks, pick + 1024);
                for (; pick < batchEnd; pick++) {
                    int slot = hotSlot(random);
                    if (addresses[slot] != 0) {
                        Blocks.checkPattern(addresses[slot], sizes[slot], addresses[slot]);
                        allocator.free(addresses[slot], sizes[slot]);
                        live.freed(sizes[slot]);
                        addresses[slot] = 0;
                    } else {
                        sizes[slot] = nextSize(random);
                        addresses[slot] = allocate(allocator, sizes[slot], live);
                    }
                }
            }
            live.flush();
            PortedWorkload.checkpoint(meter);
            operations.addAndGet(pick);
            picksDone.addAndGet(pick);
            for (int slot = 0; slot < SLOTS; slot++) {
                if (addresses[slot] != 0) {
                    Blocks.checkPattern(addresses[slot], sizes[slot], addresses[slot]);
                    allocator.free(addresses[slot], sizes[slot]);
                    live.freed(sizes[slot]);
                }
            }
            live.flush();
        });
        long nanos = System.nanoTime() - start[0];
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations.get());
        return limit.flag(measured, picksDone.get() + " of " + picks * THREADS + " picks");
    }

    private static long allocate(SuiteAllocator allocator, int size, LiveBytes live) {
        long address = allocator.malloc(size);
        Blocks.fillPattern(address, size, address);
        live.allocated(size);
        return address;
    }

    /** Power law: doubling {@code d} (sizes 2^(d+2)+1 .. 2^(d+3)) with probability about 2^-(d+1). */
    private static int nextSize(SplitMix64 random) {
        long bits = random.nextLong();
        int doubling = Math.min(Long.numberOfTrailingZeros(bits | 1L << (MAX_SIZE_SHIFT - 3)), MAX_SIZE_SHIFT - 3);
        int shift = doubling + 2;
        return (int) ((bits >>> 16 & ((1L << shift) - 1)) + 1 + (1L << shift));
    }

    /** Six-fold 80/20: at each level, 80% of picks go to the first 20% of what is left. */
    private static int hotSlot(SplitMix64 random) {
        int low = 0;
        int length = SLOTS;
        for (int level = 0; level < PARETO_LEVELS && length > 4; level++) {
            int hot = length / 5;
            if (random.percent(80)) {
                length = hot;
            } else {
                low += hot;
                length -= hot;
            }
        }
        return low + random.nextInt(length);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException("alloc-test threads could not start together", e);
        }
    }
}
