package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A latency profile in the style of seed 004's tables: the time of every single {@code malloc}
 * and {@code free} of 4 KiB and of 1 MiB blocks, read with {@link System#nanoTime()} around the
 * call, summarized as min, median, mean, p99, p99.9 and max. Each size has a working set of slots
 * replaced at random, so frees happen all along and the allocator reuses memory; each new block
 * is touched on every page outside the timed call. One thread.
 *
 * <p>The figures include the clock's own cost (about 20 ns per pair of reads): compare them
 * between allocators, not with figures measured another way.
 */
public final class LatencyProfile extends PortedWorkload {

    /** Series names in {@code latencyNanos}, in order. */
    static final String[] SERIES = {"malloc 4 KiB", "free 4 KiB", "malloc 1 MiB", "free 1 MiB"};

    private static final long SMALL = 4 << 10;
    private static final long LARGE = 1 << 20;
    private static final int SMALL_SLOTS = 1024;
    private static final int LARGE_SLOTS = 64;
    private static final long SMALL_REPLACEMENTS = 4_000_000; // at scale 1.0
    private static final long LARGE_REPLACEMENTS = 80_000;
    private static final long SEED = 4;

    public LatencyProfile() {
        super("latency", "Latency profile (seed 004): every malloc and free of 4 KiB blocks (working set of "
                + SMALL_SLOTS + ") and 1 MiB blocks (working set of " + LARGE_SLOTS + ") timed with"
                + " System.nanoTime, one thread; min, median, mean, p99, p99.9 and max per call.", false);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long smallReplacements = scaled(SMALL_REPLACEMENTS, scale, SMALL_SLOTS);
        long largeReplacements = scaled(LARGE_REPLACEMENTS, scale, LARGE_SLOTS);
        TimeLimit limit = TimeLimit.forScale(scale);
        SplitMix64 random = SplitMix64.forThread(SEED, 0);
        long start = System.nanoTime();
        Series small = profile(allocator, meter, random, SMALL, SMALL_SLOTS, smallReplacements, limit);
        Series large = profile(allocator, meter, random, LARGE, LARGE_SLOTS, largeReplacements, limit);
        long nanos = System.nanoTime() - start;

        Map<String, double[]> latency = new LinkedHashMap<>();
        latency.put(SERIES[0], summary(small.mallocNanos, small.mallocs));
        latency.put(SERIES[1], summary(small.freeNanos, small.frees));
        latency.put(SERIES[2], summary(large.mallocNanos, large.mallocs));
        latency.put(SERIES[3], summary(large.freeNanos, large.frees));
        long calls = small.mallocs + small.frees + large.mallocs + large.frees;
        double timed = sum(small.mallocNanos, small.mallocs) + sum(small.freeNanos, small.frees)
                + sum(large.mallocNanos, large.mallocs) + sum(large.freeNanos, large.frees);
        WorkloadResult measured =
                result(allocator, meter, nanos, calls, "mean ns per call", timed / Math.max(1, calls), latency);
        return limit.flag(measured, small.mallocs + " small and " + large.mallocs + " large mallocs");
    }

    /** Per-call times of one block size. */
    private static final class Series {
        final long[] mallocNanos;
        final long[] freeNanos;
        int mallocs;
        int frees;

        Series(long replacements) {
            mallocNanos = new long[(int) replacements];
            freeNanos = new long[(int) replacements];
        }
    }

    private static Series profile(SuiteAllocator allocator, MemoryMeter meter, SplitMix64 random, long size, int slots,
            long replacements, TimeLimit limit) {
        Series series = new Series(replacements);
        LiveBytes live = new LiveBytes(meter, size >= LARGE ? 1 : 64);
        long[] addresses = new long[slots];
        for (long i = 0; i < replacements; i++) {
            if ((i & 255) == 255 && limit.passed()) {
                break;
            }
            int slot = random.nextInt(slots);
            long address = addresses[slot];
            if (address != 0) {
                Blocks.verify(address, size);
                long before = System.nanoTime();
                allocator.free(address, size);
                series.freeNanos[series.frees++] = System.nanoTime() - before;
                live.freed(size);
            }
            long before = System.nanoTime();
            address = allocator.malloc(size);
            series.mallocNanos[series.mallocs++] = System.nanoTime() - before;
            Blocks.stamp(address, size);
            addresses[slot] = address;
            live.allocated(size);
        }
        live.flush();
        PortedWorkload.checkpoint(meter);
        for (long address : addresses) {
            if (address != 0) {
                Blocks.verify(address, size);
                allocator.free(address, size);
                live.freed(size);
            }
        }
        live.flush();
        return series;
    }

    /** (min, p50, mean, p99, p99.9, max) of the first {@code count} values; sorts them. */
    static double[] summary(long[] nanos, int count) {
        if (count == 0) {
            return new double[6];
        }
        Arrays.sort(nanos, 0, count);
        return new double[] {
            nanos[0], percentile(nanos, count, 0.50), sum(nanos, count) / count, percentile(nanos, count, 0.99),
            percentile(nanos, count, 0.999), nanos[count - 1]
        };
    }

    /** Nearest rank on sorted values. */
    private static double percentile(long[] sorted, int count, double fraction) {
        int rank = (int) Math.ceil(fraction * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
    }

    private static double sum(long[] nanos, int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += nanos[i];
        }
        return sum;
    }
}
