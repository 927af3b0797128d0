package dev.hedra.bench.suite;

import java.util.List;
import java.util.Map;

/**
 * What one run of one workload on one allocator measured. Memory figures come from the
 * {@link MemoryMeter}: resident bytes of the process above the baseline taken just before the
 * workload started (the JVM with a pre-touched fixed heap), over live requested bytes.
 *
 * @param workload the workload's name
 * @param allocator the allocator's name
 * @param seconds wall time of the timed part
 * @param operations allocations plus frees (or trace events) performed in the timed part
 * @param metricName what {@code metric} is, e.g. "ns per op", "ops per s", "ns per event"
 * @param metric the headline figure (lower or higher is better as {@code lowerIsBetter} says)
 * @param lowerIsBetter how to compare {@code metric}
 * @param peakResidentBytes highest resident bytes above the baseline during the run
 * @param peakLiveBytes highest live requested bytes during the run
 * @param residentTimeline (elapsed ms, resident bytes above baseline) samples, for charts
 * @param latencyNanos for latency workloads: name to (min, p50, mean, p99, p999, max); else empty
 * @param capped whether the run stopped at its time cap, having done only part of the workload:
 *     its rate still compares, its peak memory (of part of the work) does not
 */
public record WorkloadResult(
        String workload,
        String allocator,
        double seconds,
        long operations,
        String metricName,
        double metric,
        boolean lowerIsBetter,
        long peakResidentBytes,
        long peakLiveBytes,
        List<long[]> residentTimeline,
        Map<String, double[]> latencyNanos,
        boolean capped) {

    /** A run that did the whole workload. */
    public WorkloadResult(String workload, String allocator, double seconds, long operations, String metricName,
            double metric, boolean lowerIsBetter, long peakResidentBytes, long peakLiveBytes,
            List<long[]> residentTimeline, Map<String, double[]> latencyNanos) {
        this(workload, allocator, seconds, operations, metricName, metric, lowerIsBetter, peakResidentBytes,
                peakLiveBytes, residentTimeline, latencyNanos, false);
    }

    /** This result, marked as stopped at its time cap. */
    public WorkloadResult asCapped() {
        return new WorkloadResult(workload, allocator, seconds, operations, metricName, metric, lowerIsBetter,
                peakResidentBytes, peakLiveBytes, residentTimeline, latencyNanos, true);
    }

    /** Resident memory at peak over peak live bytes (1.0 would be no overhead at all). */
    public double residentOverLive() {
        return peakLiveBytes == 0 ? Double.NaN : (double) peakResidentBytes / peakLiveBytes;
    }
}
