package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.concurrent.atomic.AtomicLong;

/**
 * glibc's {@code bench-malloc-thread}, as mimalloc-bench runs it ({@code glibc-thread N}): each
 * thread keeps a working set of 1,024 slots and, over and over, frees the block in a random slot
 * and allocates a new one there, writing every byte; sizes from 4 B to 32 KiB on an inverse-square
 * power law (most blocks tiny, a few large). Slots and sizes come from tables of 4,096 and 8,000
 * pseudo-random entries that every thread walks from the start, as in the original. The original
 * runs for a fixed time; this runs a fixed number of replacements.
 */
public final class GlibcThread extends PortedWorkload {

    private static final int THREADS = 2;
    private static final int WORKING_SET = 1024;
    private static final double MIN_SIZE = 4;
    private static final double MAX_SIZE = 32 * 1024;
    private static final int SIZE_TABLE = 8000;
    private static final int SLOT_TABLE = WORKING_SET * 4;
    private static final long REPLACEMENTS_PER_THREAD = 15_000_000; // at scale 1.0
    private static final long SEED = 88;

    private static final int[] BLOCK_SIZES = new int[SIZE_TABLE];
    private static final int[] SLOTS = new int[SLOT_TABLE];

    static {
        SplitMix64 random = new SplitMix64(SEED);
        double low = 1 / MIN_SIZE; // the inverse CDF of density ~ size^-2 on [MIN_SIZE, MAX_SIZE]
        double high = 1 / MAX_SIZE;
        for (int i = 0; i < SIZE_TABLE; i++) {
            BLOCK_SIZES[i] = (int) (1 / (low + (high - low) * random.nextDouble()));
        }
        for (int i = 0; i < SLOT_TABLE; i++) {
            SLOTS[i] = random.nextInt(WORKING_SET);
        }
    }

    public GlibcThread() {
        super("glibc-thread", "glibc bench-malloc-thread: " + THREADS + " threads (one per core) each replace"
                + " random blocks in a working set of " + WORKING_SET + " slots, sizes 4 B-32 KiB on an"
                + " inverse-square law, every byte written; stresses thread-local fast paths.", false);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long replacements = scaled(REPLACEMENTS_PER_THREAD, scale, 1_000);
        TimeLimit limit = TimeLimit.forScale(scale);
        AtomicLong operations = new AtomicLong();
        long start = System.nanoTime();
        Workers.run(name(), THREADS, thread -> {
            LiveBytes live = new LiveBytes(meter, 1024);
            long[] addresses = new long[WORKING_SET];
            int[] sizes = new int[WORKING_SET];
            int slotIndex = 0;
            int sizeIndex = 0;
            long ops = 0;
            long done = 0;
            while (done < replacements && !limit.passed()) {
                long batchEnd = Math.min(replacements, done + 1024);
                for (; done < batchEnd; done++) {
                    int slot = SLOTS[slotIndex];
                    slotIndex = slotIndex == SLOT_TABLE - 1 ? 0 : slotIndex + 1;
                    int size = BLOCK_SIZES[sizeIndex];
                    sizeIndex = sizeIndex == SIZE_TABLE - 1 ? 0 : sizeIndex + 1;
                    if (addresses[slot] != 0) {
                        Blocks.verify(addresses[slot], sizes[slot]);
                        allocator.free(addresses[slot], sizes[slot]);
                        live.freed(sizes[slot]);
                        ops++;
                    }
                    long address = allocator.malloc(size);
                    Blocks.fillPattern(address, size, address);
                    Blocks.stamp(address, size);
                    addresses[slot] = address;
                    sizes[slot] = size;
                    live.allocated(size);
                    ops++;
                }
            }
            live.flush();
            PortedWorkload.checkpoint(meter); // the working set is full: live bytes at their peak
            for (int slot = 0; slot < WORKING_SET; slot++) {
                if (addresses[slot] != 0) {
                    Blocks.verify(addresses[slot], sizes[slot]);
                    allocator.free(addresses[slot], sizes[slot]);
                    live.freed(sizes[slot]);
                }
            }
            live.flush();
            operations.addAndGet(ops);
        });
        long nanos = System.nanoTime() - start;
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations.get());
        return limit.flag(measured, operations.get() + " operations");
    }
}
