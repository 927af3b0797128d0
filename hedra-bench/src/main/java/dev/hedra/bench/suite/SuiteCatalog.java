package dev.hedra.bench.suite;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Suite} can run, by name: the workloads and the allocators, with what the report
 * says about each. The suite itself never runs a workload; a child JVM does ({@code RunOne}).
 */
interface SuiteCatalog {

    /** A workload as the suite lists it; {@code inDefaultSelection} as {@link SuiteWorkload} says. */
    record WorkloadEntry(String name, String description, boolean inDefaultSelection) {}

    /**
     * An allocator as the suite lists it.
     *
     * @param notes one line on how it is called, if known before it runs (the runs report it too)
     * @param unavailableReason why it cannot run on this machine (with the package to install), if so
     */
    record AllocatorEntry(String name, String notes, Optional<String> unavailableReason) {}

    /** Every workload, in table order: the ported benchmarks, then the traces. */
    List<WorkloadEntry> workloads();

    /** Every allocator, in column order, Hedra first. */
    List<AllocatorEntry> allocators();

    /** The library that the jemalloc allocator's JVM must preload, if installed. */
    default Optional<Path> jemallocLibrary() {
        return Optional.empty();
    }
}
