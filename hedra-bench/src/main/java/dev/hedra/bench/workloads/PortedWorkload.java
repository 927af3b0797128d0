package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.ResidentMemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.SuiteWorkload;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.List;
import java.util.Map;

/**
 * What the ported workloads share: a name, a description, whether blocks are freed on threads
 * other than the one that allocated them, the scaling of their work, and the result they build.
 */
public abstract class PortedWorkload implements SuiteWorkload {

    /** Headline metric of most workloads: wall time over allocations plus frees. */
    static final String NS_PER_OP = "ns per op";

    private final String name;
    private final String description;
    private final boolean freesAcrossThreads;

    PortedWorkload(String name, String description, boolean freesAcrossThreads) {
        this.name = name;
        this.description = description;
        this.freesAcrossThreads = freesAcrossThreads;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    /**
     * Whether some blocks are freed by a thread other than the one that allocated them; such
     * workloads need {@code Arena.ofShared()} per block from the arena peer.
     */
    public final boolean freesAcrossThreads() {
        return freesAcrossThreads;
    }

    @Override
    public String toString() {
        return name;
    }

    /** {@code base} work scaled, at least {@code minimum}. */
    static long scaled(long base, double scale, long minimum) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale must be positive: " + scale);
        }
        return Math.max(minimum, Math.round(base * scale));
    }

    /**
     * The result of a run: time, operations and the headline metric; memory figures from the
     * meter when it is the suite's {@link ResidentMemoryMeter} (which this stops), else zero.
     */
    final WorkloadResult result(SuiteAllocator allocator, MemoryMeter meter, long nanos, long operations,
            String metricName, double metric, Map<String, double[]> latencyNanos) {
        WorkloadResult result = new WorkloadResult(name, allocator.name(), nanos / 1e9, operations, metricName,
                metric, true, 0, 0, List.of(), latencyNanos);
        return meter instanceof ResidentMemoryMeter resident ? resident.complete(result) : result;
    }

    /** The result of a run whose headline is wall time over operations. */
    final WorkloadResult nsPerOp(SuiteAllocator allocator, MemoryMeter meter, long nanos, long operations) {
        return result(allocator, meter, nanos, operations, NS_PER_OP, (double) nanos / Math.max(1, operations),
                Map.of());
    }

    /** Calls {@link ResidentMemoryMeter#checkpoint()} when the meter is one. */
    static void checkpoint(MemoryMeter meter) {
        if (meter instanceof ResidentMemoryMeter resident) {
            resident.checkpoint();
        }
    }
}
