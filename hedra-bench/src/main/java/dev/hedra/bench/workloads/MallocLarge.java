package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;

/**
 * mimalloc-bench's {@code malloc-large}: blocks of 5 to 25 MiB, at most 20 live, one thread
 * replacing a random one at a time; each new block is touched on every page. Stresses the
 * allocator's large-block path: mapping, reuse and return of memory to the operating system.
 */
public final class MallocLarge extends PortedWorkload {

    private static final int SLOTS = 20;
    private static final long MIN_SIZE = 5L << 20;
    private static final long MAX_SIZE = 25L << 20;
    private static final long REPLACEMENTS = 300; // at scale 1.0
    private static final long SEED = 447;

    public MallocLarge() {
        super("malloc-large", "malloc-large: one thread replaces random blocks of 5-25 MiB among " + SLOTS
                + " slots, touching every page; stresses large-block mapping, reuse and return to the OS.", false);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long replacements = scaled(REPLACEMENTS, scale, SLOTS);
        TimeLimit limit = TimeLimit.forScale(scale);
        SplitMix64 random = SplitMix64.forThread(SEED, 0);
        LiveBytes live = new LiveBytes(meter, 1);
        long[] addresses = new long[SLOTS];
        long[] sizes = new long[SLOTS];
        long operations = 0;
        long start = System.nanoTime();
        long done = 0;
        for (; done < replacements && !limit.passed(); done++) {
            int slot = random.nextInt(SLOTS);
            if (addresses[slot] != 0) {
                Blocks.verify(addresses[slot], sizes[slot]);
                allocator.free(addresses[slot], sizes[slot]);
                live.freed(sizes[slot]);
                operations++;
            }
            long size = random.between(MIN_SIZE, MAX_SIZE);
            addresses[slot] = allocator.malloc(size);
            Blocks.stamp(addresses[slot], size);
            sizes[slot] = size;
            live.allocated(size);
            operations++;
            if (done % SLOTS == SLOTS - 1) {
                PortedWorkload.checkpoint(meter);
            }
        }
        long nanos = System.nanoTime() - start;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (addresses[slot] != 0) {
                Blocks.verify(addresses[slot], sizes[slot]);
                allocator.free(addresses[slot], sizes[slot]);
                live.freed(sizes[slot]);
            }
        }
        double microsPerOp = nanos / 1e3 / Math.max(1, operations);
        WorkloadResult measured = result(allocator, meter, nanos, operations, "us per op", microsPerOp, java.util.Map.of());
        return limit.flag(measured, done + " of " + replacements + " replacements");
    }
}
