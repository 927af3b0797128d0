package dev.hedra.bench.report;

import dev.hedra.bench.suite.WorkloadResult;
import java.util.Objects;
import java.util.Optional;

/**
 * One (workload, allocator) pair of a suite run: what its JVM measured, or why it measured
 * nothing.
 *
 * @param workload the workload's name
 * @param allocator the allocator's name
 * @param result the measurement, present exactly when the run succeeded
 * @param problem empty on success; else what went wrong, with the tail of the child's stderr
 * @param wallSeconds the whole child JVM's life, start-up included
 */
public record RunRecord(
        String workload, String allocator, Optional<WorkloadResult> result, String problem, double wallSeconds) {

    public RunRecord {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(problem, "problem");
    }

    public static RunRecord measured(WorkloadResult result, double wallSeconds) {
        return new RunRecord(result.workload(), result.allocator(), Optional.of(result), "", wallSeconds);
    }

    public static RunRecord failed(String workload, String allocator, String problem, double wallSeconds) {
        return new RunRecord(workload, allocator, Optional.empty(),
                problem.isBlank() ? "failed without a message" : problem, wallSeconds);
    }

    public boolean isMeasured() {
        return result.isPresent();
    }

    /** The first line of {@link #problem}, for tables. */
    public String problemSummary() {
        int newline = problem.indexOf('\n');
        return newline < 0 ? problem : problem.substring(0, newline);
    }
}
