package dev.hedra.bench.suite;

import dev.hedra.bench.workloads.AllocTest;
import dev.hedra.bench.workloads.CacheFalseSharing;
import dev.hedra.bench.workloads.GlibcSimple;
import dev.hedra.bench.workloads.GlibcThread;
import dev.hedra.bench.workloads.Larson;
import dev.hedra.bench.workloads.LatencyProfile;
import dev.hedra.bench.workloads.MallocLarge;
import dev.hedra.bench.workloads.Mstress;
import dev.hedra.bench.workloads.PortedWorkload;
import dev.hedra.bench.workloads.Rptest;
import dev.hedra.bench.workloads.XmallocTest;
import dev.hedra.bench.trace.TraceReplay;
import java.util.List;
import java.util.stream.Stream;

/**
 * The suite's workloads by name, in report order: the ports of the field's benchmarks
 * ({@code dev.hedra.bench.workloads}), then the replays of the shipped traces
 * ({@code trace-<name>}, {@link TraceReplay}).
 */
public final class SuiteWorkloads {

    private static final List<SuiteWorkload> PORTED = List.of(
            Larson.unsized(),
            Larson.sized(),
            new XmallocTest(),
            new Mstress(),
            new Rptest(),
            new AllocTest(),
            new GlibcSimple(),
            new GlibcThread(),
            CacheFalseSharing.scratch(),
            CacheFalseSharing.thrash(),
            new MallocLarge(),
            new LatencyProfile());

    private static final List<SuiteWorkload> ALL =
            Stream.concat(PORTED.stream(), TraceReplay.shipped().stream()).toList();

    private SuiteWorkloads() {}

    /** Every workload, in report order. */
    public static List<SuiteWorkload> all() {
        return ALL;
    }

    /** The ports of the field's benchmarks, without the trace replays. */
    public static List<SuiteWorkload> ported() {
        return PORTED;
    }

    /** The workloads a default run of the suite measures. */
    public static List<SuiteWorkload> defaultSelection() {
        return ALL.stream().filter(SuiteWorkload::inDefaultSelection).toList();
    }

    /** The names of every workload, in report order. */
    public static List<String> names() {
        return ALL.stream().map(SuiteWorkload::name).toList();
    }

    /**
     * Returns the workload called {@code name}, e.g. {@code "larson-sized"}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public static SuiteWorkload byName(String name) {
        return ALL.stream()
                .filter(workload -> workload.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown workload '" + name + "'; known: " + String.join(",", names())));
    }

    /**
     * Whether {@code workload} frees blocks on threads other than the ones that allocated them, so
     * that the arena peer must use shared arenas; true for workloads this registry does not know.
     */
    public static boolean freesAcrossThreads(SuiteWorkload workload) {
        return !(workload instanceof PortedWorkload ported) || ported.freesAcrossThreads();
    }

    /** Whether {@code workload} warms up inside its own run (trace replays do), so a runner need not. */
    public static boolean warmsUpItself(SuiteWorkload workload) {
        return workload instanceof TraceReplay;
    }
}
