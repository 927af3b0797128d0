package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.WorkloadResult;

/**
 * A cap on a run's wall time, so that a peer that is orders of magnitude slower on a workload
 * (a shared arena per block pays a handshake with every thread on each free) still finishes:
 * workloads check it between batches of work and stop early, reporting the work they did, and
 * their result says so ({@link #flag}): its memory covers only part of the workload.
 * The cap is 10 s at scale 1.0, proportional to the scale, and at least 1 s.
 */
final class TimeLimit {

    private static final long NANOS_AT_SCALE_ONE = 10_000_000_000L;
    private static final long MINIMUM_NANOS = 1_000_000_000L;

    private final long deadline;
    private volatile boolean passed; // any thread; latched so that threads stop together

    /** A cap {@code nanos} from now. */
    TimeLimit(long nanos) {
        this.deadline = System.nanoTime() + nanos;
    }

    static TimeLimit forScale(double scale) {
        return new TimeLimit(Math.max(MINIMUM_NANOS, (long) (NANOS_AT_SCALE_ONE * scale)));
    }

    /** Whether the cap has been reached (a clock read unless it already has). */
    boolean passed() {
        if (passed) {
            return true;
        }
        if (System.nanoTime() - deadline > 0) {
            passed = true;
        }
        return passed;
    }

    /**
     * {@code result}, marked {@linkplain WorkloadResult#capped() capped} if the cap cut the run
     * short, with a one-line note on stderr saying how much of the work was done then.
     */
    WorkloadResult flag(WorkloadResult result, String workDone) {
        if (!passed) {
            return result;
        }
        System.err.println("NOTE " + result.workload() + " on " + result.allocator() + " stopped at its time cap after "
                + workDone);
        return result.asCapped();
    }
}
