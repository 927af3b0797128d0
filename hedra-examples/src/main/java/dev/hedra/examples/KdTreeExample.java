package dev.hedra.examples;

import dev.hedra.Hedra;
import dev.hedra.NativeAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A geometry workload on a fixed thread pool, timed on each memory back end.
 *
 * <p>Every task builds a k-d tree of random 3-D points in native memory (one 40-byte node per
 * point), runs range queries on it, hands each query's result block to a collector thread that
 * frees it, and frees the tree. The back ends ({@link BackendKind}) differ only in where those
 * blocks come from: Hedra (four ways), the JDK's arenas, or glibc {@code malloc}. All must
 * produce the same results, so the table ends with their common checksum.
 *
 * <p>Run it with {@code scripts/example}; {@code --help} lists the options.
 */
public final class KdTreeExample {

    private KdTreeExample() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException bad) {
            System.err.println(bad.getMessage());
            System.err.print(Options.usage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(Options.usage());
            return;
        }
        if (options.resultLine()) {
            List<RunResult> runs = runInThisJvm(options.backends(), options.workload(), Hedra.allocator());
            System.out.println(runs.getFirst().toLine());
            return;
        }
        printSettings(options);
        List<RunResult> runs = new ArrayList<>();
        for (BackendKind backend : options.backends()) {
            RunResult run = options.forks() ? ForkedRun.run(backend, options)
                    : runInThisJvm(List.of(backend), options.workload(), Hedra.allocator()).getFirst();
            System.out.printf(Locale.ROOT, "  %-12s %6.2f s%n", backend.label(), run.seconds());
            runs.add(run);
        }
        ResultTable.print(System.out, runs, Runtime.getRuntime().availableProcessors());
        printLegend(options.backends());
        if (!ResultTable.checksumsAgree(runs)) {
            System.exit(1);
        }
    }

    /**
     * Runs each back end in turn in this JVM, each with its warm-up round first.
     *
     * @param hedra the allocator that Hedra's back ends take their memory from: the process-wide
     *     one, or one a test builds so that it can check that nothing is left in it
     */
    static List<RunResult> runInThisJvm(List<BackendKind> backends, Workload workload, NativeAllocator hedra)
            throws InterruptedException {
        List<RunResult> runs = new ArrayList<>();
        for (BackendKind kind : backends) {
            try (Backend backend = kind.create(hedra)) {
                runs.add(WorkloadRunner.warmUpAndMeasure(backend, workload));
            }
        }
        return runs;
    }

    private static void printSettings(Options options) {
        Workload w = options.workload();
        System.out.printf(Locale.ROOT, "k-d trees on a fixed pool: %d workers + 1 collector thread, %d trees "
                        + "(after %d warm-up trees), %,d points and %,d range queries per tree, seed %d%n",
                w.threads(), w.trees(), w.warmupTrees(), w.points(), w.queries(), w.seed());
        System.out.printf(Locale.ROOT, "JDK %s, %d processors, hedra.checks=%s; %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(),
                Boolean.getBoolean("hedra.checks"),
                options.forks() ? "each back end in a child JVM of its own"
                        : "every back end in this JVM, one after another");
    }

    private static void printLegend(List<BackendKind> backends) {
        System.out.println();
        for (BackendKind kind : backends) {
            System.out.printf(Locale.ROOT, "  %-12s %s%n", kind.label(), kind.description());
        }
    }
}
