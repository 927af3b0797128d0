package dev.hedra.bench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one suite run produced, as the report's tables, files and page show it.
 *
 * @param settings what was run where, in display order (machine, JDK, date, scale, ...)
 * @param workloads the workloads in table order
 * @param allocators the allocators that ran, in column order, Hedra first
 * @param runs one record per (workload, allocator) pair that was started
 * @param notes one line per allocator that could not run here (e.g. its package is missing)
 * @param microTables the JMH comparison's printed tables, when {@code --micro} ran it
 */
public record SuiteResults(
        Map<String, String> settings,
        List<WorkloadInfo> workloads,
        List<AllocatorInfo> allocators,
        List<RunRecord> runs,
        List<String> notes,
        Optional<String> microTables) {

    /** The allocator every table compares with the others. */
    public static final String HEDRA = "hedra";

    /** Workloads whose names start with this replay a recorded trace; they have their own target. */
    public static final String TRACE_PREFIX = "trace-";

    public record WorkloadInfo(String name, String description) {
        public boolean isTrace() {
            return name.startsWith(TRACE_PREFIX);
        }
    }

    /** @param notes one line on how the allocator is called */
    public record AllocatorInfo(String name, String notes) {}

    public SuiteResults {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        workloads = List.copyOf(workloads);
        allocators = List.copyOf(allocators);
        runs = List.copyOf(runs);
        notes = List.copyOf(notes);
    }

    public Optional<RunRecord> run(String workload, String allocator) {
        return runs.stream()
                .filter(run -> run.workload().equals(workload) && run.allocator().equals(allocator))
                .findFirst();
    }

    public List<RunRecord> runsOf(String workload) {
        return runs.stream().filter(run -> run.workload().equals(workload)).toList();
    }

    public List<String> allocatorNames() {
        return allocators.stream().map(AllocatorInfo::name).toList();
    }

    public long failures() {
        return runs.stream().filter(run -> !run.isMeasured()).count();
    }
}
