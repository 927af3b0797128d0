package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * mimalloc's stress test ({@code mstress N 50 25} in mimalloc-bench): in each round, threads are
 * created that allocate blocks of 1 to 16 words (a power of two), keep some of 1 to 64 words for
 * their whole life, free random earlier blocks and swap random blocks with a shared array of
 * 1,000 transfer slots; 1% of blocks are 100 times larger, 0.1% 1,000 times and 0.01% 10,000
 * times (up to 5 MiB). The threads free what they hold and exit; half the transfer slots survive
 * into the next round's threads. Every word of every block is written when it is allocated and
 * checked before it is freed; each thread's array of blocks grows by {@code realloc}.
 */
public final class Mstress extends PortedWorkload {

    private static final int THREADS = 4;
    private static final int LOAD = 50; // the original's "scale" argument: percent load per thread
    private static final int ROUNDS = 80; // at scale 1.0
    private static final int TRANSFERS = 1000;
    private static final int DATA_GROWTH = 100_000; // entries added to a thread's array at a time
    private static final long COOKIE = 0xBF58476D1CE4E5B9L;
    private static final long SEED = 43;

    public Mstress() {
        super("mstress", "mimalloc stress test: rounds of " + THREADS + " new threads (the original runs one"
                + " per core) allocating power-of-two blocks of 8-128 B (a few up to 5 MiB), retaining some,"
                + " freeing at random and swapping blocks through 1,000 shared slots that outlive the threads;"
                + " every word written and checked; stresses remote frees and heaps of dead threads.", true);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long rounds = scaled(ROUNDS, scale, 1);
        TimeLimit limit = TimeLimit.forScale(scale);
        AtomicLongArray transfer = new AtomicLongArray(TRANSFERS);
        AtomicLong operations = new AtomicLong();
        SplitMix64 mainRandom = SplitMix64.forThread(SEED, -1);
        LiveBytes mainLive = new LiveBytes(meter, 1);
        long start = System.nanoTime();
        long round = 0;
        for (; round < rounds; round++) {
            long thisRound = round;
            Workers.run(name() + "-round-" + round, THREADS, thread -> operations.addAndGet(
                    new Stress(allocator, meter, transfer, SplitMix64.forThread(SEED + thisRound, thread), limit)
                            .run(LOAD * 100L * (thread % 8 + 1))));
            PortedWorkload.checkpoint(meter);
            boolean last = round + 1 == rounds || limit.passed();
            long freed = 0;
            for (int i = 0; i < TRANSFERS; i++) {
                if (last || mainRandom.percent(50)) {
                    freed += freeItems(allocator, mainLive, transfer.getAndSet(i, 0));
                }
            }
            operations.addAndGet(freed);
            if (last) {
                round++;
                break;
            }
        }
        long nanos = System.nanoTime() - start;
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations.get());
        return limit.flag(measured, round + " of " + rounds + " rounds");
    }

    /** Allocates a block of {@code items} words, each written with its index, 1% of the time far larger. */
    private static long allocItems(SuiteAllocator allocator, LiveBytes live, SplitMix64 random, long items) {
        if (random.percent(1)) {
            if (random.percent(1)) {
                items *= 10_000;
            } else if (random.percent(10)) {
                items *= 1_000;
            } else {
                items *= 100;
            }
        }
        if (items == 40) {
            items++; // as the original: 320 B is a size some thread libraries use themselves
        }
        long bytes = items * Long.BYTES;
        long block = allocator.malloc(bytes);
        for (long i = 0; i < items; i++) {
            Blocks.writeLong(block + i * Long.BYTES, (items - i) ^ COOKIE);
        }
        live.allocated(bytes);
        return block;
    }

    /** Checks every word of a block from {@link #allocItems} and frees it; returns the operations (0 or 1). */
    private static long freeItems(SuiteAllocator allocator, LiveBytes live, long block) {
        if (block == 0) {
            return 0;
        }
        long items = Blocks.readLong(block) ^ COOKIE;
        if (items <= 0 || items > 64 * 10_000) {
            throw new IllegalStateException("the block at 0x" + Long.toHexString(block) + " lost its header");
        }
        for (long i = 0; i < items; i++) {
            if ((Blocks.readLong(block + i * Long.BYTES) ^ COOKIE) != items - i) {
                throw new IllegalStateException("the block of " + items * Long.BYTES + " bytes at 0x"
                        + Long.toHexString(block) + " lost what was written at word " + i);
            }
        }
        allocator.free(block, items * Long.BYTES);
        live.freed(items * Long.BYTES);
        return 1;
    }

    /** One thread of one round. */
    private static final class Stress {

        private final SuiteAllocator allocator;
        private final MemoryMeter meter;
        private final AtomicLongArray transfer;
        private final SplitMix64 random;
        private final TimeLimit limit;
        private final LiveBytes live;
        private long operations;

        Stress(SuiteAllocator allocator, MemoryMeter meter, AtomicLongArray transfer, SplitMix64 random,
                TimeLimit limit) {
            this.allocator = allocator;
            this.transfer = transfer;
            this.random = random;
            this.limit = limit;
            this.meter = meter;
            this.live = new LiveBytes(meter, 256);
        }

        long run(long allocations) {
            long retain = allocations / 2;
            long retainedBytes = Math.max(1, retain) * Long.BYTES;
            long retained = allocator.malloc(retainedBytes);
            long retainedTop = 0;
            long dataCapacity = DATA_GROWTH;
            long data = allocator.malloc(dataCapacity * Long.BYTES);
            long dataTop = 0;
            operations += 2;
            live.allocated(retainedBytes + dataCapacity * Long.BYTES);
            long steps = 0;
            while ((allocations > 0 || retain > 0) && !(++steps % 1024 == 0 && limit.passed())) {
                if (retain == 0 || (random.percent(50) && allocations > 0)) {
                    allocations--;
                    if (dataTop == dataCapacity) {
                        data = allocator.realloc(data, dataCapacity * Long.BYTES, (dataCapacity + DATA_GROWTH) * Long.BYTES);
                        dataCapacity += DATA_GROWTH;
                        live.allocated(DATA_GROWTH * Long.BYTES);
                        operations++;
                    }
                    Blocks.writeLong(data + dataTop++ * Long.BYTES, allocItems(allocator, live, random, 1L << random.nextInt(5)));
                } else {
                    Blocks.writeLong(retained + retainedTop++ * Long.BYTES,
                            allocItems(allocator, live, random, 1L << random.nextInt(7)));
                    retain--;
                }
                operations++;
                if (random.percent(66) && dataTop > 0) {
                    long slot = data + random.nextInt((int) dataTop) * (long) Long.BYTES;
                    operations += freeItems(allocator, live, Blocks.readLong(slot));
                    Blocks.writeLong(slot, 0);
                }
                if (random.percent(25) && dataTop > 0) {
                    long slot = data + random.nextInt((int) dataTop) * (long) Long.BYTES;
                    Blocks.writeLong(slot, transfer.getAndSet(random.nextInt(TRANSFERS), Blocks.readLong(slot)));
                }
            }
            live.flush();
            PortedWorkload.checkpoint(meter); // everything retained is still live
            for (long i = 0; i < retainedTop; i++) {
                operations += freeItems(allocator, live, Blocks.readLong(retained + i * Long.BYTES));
            }
            for (long i = 0; i < dataTop; i++) {
                operations += freeItems(allocator, live, Blocks.readLong(data + i * Long.BYTES));
            }
            allocator.free(retained, retainedBytes);
            allocator.free(data, dataCapacity * Long.BYTES);
            operations += 2;
            live.freed(retainedBytes + dataCapacity * Long.BYTES);
            live.flush();
            return operations;
        }
    }
}
