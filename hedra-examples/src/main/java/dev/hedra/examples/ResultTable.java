package dev.hedra.examples;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Prints the runs side by side, Hedra's speedups, and whether the checksums agree. */
final class ResultTable {

    /** Wall time above CPU time / cores by more than this means other processes took cores. */
    private static final double BUSY_RATIO = 1.25;

    private ResultTable() {}

    static void print(PrintStream out, List<RunResult> runs, int processors) {
        out.println();
        out.printf(Locale.ROOT, "%-12s %8s %8s %9s %12s %14s %10s%n",
                "back end", "wall s", "CPU s", "trees/s", "nodes/s", "peak RSS MiB", "hedra is");
        Optional<RunResult> hedra = find(runs, BackendKind.HEDRA);
        for (RunResult run : runs) {
            String speedup = hedra.map(h -> times(run.wallNanos(), h.wallNanos())).orElse("-");
            out.printf(Locale.ROOT, "%-12s %8.2f %8.2f %9.1f %10.2f M %14s %10s%n",
                    run.backend(), run.seconds(), run.cpuNanos() / 1e9, run.treesPerSecond(),
                    run.nodesPerSecond() / 1e6, peak(run), speedup);
        }
        printSpeedups(out, runs);
        printBusyMachineNote(out, runs, processors);
        if (runs.stream().anyMatch(RunResult::peakSinceJvmStart)) {
            out.println("* peak since the JVM started: it could not be reset before the round");
        }
        RunResult first = runs.getFirst();
        out.printf(Locale.ROOT, "%nchecksum of the query results: %016x (%,d result blocks, %,d hits)%s%n",
                first.checksum(), first.results(), first.hits(),
                runs.size() > 1 && checksumsAgree(runs) ? ", the same on every back end" : "");
        if (!checksumsAgree(runs)) {
            out.println("MISMATCH: the back ends disagree:");
            for (RunResult run : runs) {
                out.printf(Locale.ROOT, "  %-12s %016x (%,d results, %,d hits)%n",
                        run.backend(), run.checksum(), run.results(), run.hits());
            }
        }
    }

    static boolean checksumsAgree(List<RunResult> runs) {
        RunResult first = runs.getFirst();
        return runs.stream().allMatch(run -> run.checksum() == first.checksum() && run.results() == first.results()
                && run.hits() == first.hits());
    }

    /**
     * Each Hedra variant against each other back end: their time over the variant's, by wall
     * time and, in parentheses, by CPU time.
     */
    private static void printSpeedups(PrintStream out, List<RunResult> runs) {
        List<RunResult> variants = runs.stream().filter(r -> BackendKind.byLabel(r.backend()).isHedra()).toList();
        List<RunResult> others = runs.stream().filter(r -> !BackendKind.byLabel(r.backend()).isHedra()).toList();
        if (variants.isEmpty() || others.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "%nspeedup: the other's time / the Hedra variant's, by wall time (by CPU time)%n%-12s",
                "");
        for (RunResult other : others) {
            out.printf(Locale.ROOT, " %16s", "vs " + other.backend());
        }
        out.println();
        for (RunResult variant : variants) {
            out.printf(Locale.ROOT, "%-12s", variant.backend());
            for (RunResult other : others) {
                out.printf(Locale.ROOT, " %16s", times(other.wallNanos(), variant.wallNanos()) + " ("
                        + times(other.cpuNanos(), variant.cpuNanos()) + ")");
            }
            out.println();
        }
    }

    /**
     * Warns when wall time is well above what the CPU time needs on the cores there are: other
     * processes took the cores, and CPU time is then the fairer comparison.
     */
    private static void printBusyMachineNote(PrintStream out, List<RunResult> runs, int processors) {
        double worst = 0;
        for (RunResult run : runs) {
            int cores = Math.min(run.workload().threads(), processors);
            if (run.cpuNanos() > 0) {
                worst = Math.max(worst, run.wallNanos() * (double) cores / run.cpuNanos());
            }
        }
        if (worst > BUSY_RATIO) {
            out.printf(Locale.ROOT, "%nnote: the machine was busy: a run took up to %.1fx the wall time its CPU time "
                    + "needs on %d cores; compare the CPU times%n", worst, processors);
        }
    }

    private static Optional<RunResult> find(List<RunResult> runs, BackendKind kind) {
        return runs.stream().filter(r -> r.backend().equals(kind.label())).findFirst();
    }

    /** How many times faster {@code fast} is than {@code slow}. */
    private static String times(long slowNanos, long fastNanos) {
        return String.format(Locale.ROOT, "%.2fx", (double) slowNanos / fastNanos);
    }

    private static String peak(RunResult run) {
        if (run.peakResidentBytes() < 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f%s", run.peakResidentBytes() / (1024.0 * 1024.0),
                run.peakSinceJvmStart() ? "*" : "");
    }
}
