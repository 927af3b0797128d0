package dev.hedra.bench.suite;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The suite's real catalog: the workloads of {@link SuiteWorkloads} and the allocators of
 * {@link SuiteAllocators}, with the notes that say how to install a missing peer. Nothing is run
 * or created here: workloads and allocators come to life only in the child JVMs.
 */
final class SuiteRegistry implements SuiteCatalog {

    private SuiteRegistry() {}

    static SuiteCatalog catalog() {
        return new SuiteRegistry();
    }

    @Override
    public List<WorkloadEntry> workloads() {
        return SuiteWorkloads.all().stream()
                .map(w -> new WorkloadEntry(w.name(), w.description(), w.inDefaultSelection()))
                .toList();
    }

    @Override
    public List<AllocatorEntry> allocators() {
        return SuiteAllocators.NAMES.stream()
                .map(name -> new AllocatorEntry(name, "", SuiteAllocators.missingNote(name)))
                .toList();
    }

    @Override
    public Optional<Path> jemallocLibrary() {
        return SuiteAllocators.jemallocLibrary();
    }
}
