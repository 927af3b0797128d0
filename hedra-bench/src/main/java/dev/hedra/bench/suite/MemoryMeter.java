package dev.hedra.bench.suite;

/**
 * Tracks live requested bytes (reported by the workload) and resident memory (sampled from
 * {@code /proc/self/statm} by a background thread every few milliseconds, and at every new peak
 * of live bytes), relative to a baseline taken when the meter starts.
 *
 * <p>Implemented in the suite runner (owner: the helper building {@code RunOne}); workloads only
 * call {@link #live(long)}.
 */
public interface MemoryMeter {

    /** The workload's live requested bytes changed by {@code delta} (any thread; cheap). */
    void live(long delta);
}
