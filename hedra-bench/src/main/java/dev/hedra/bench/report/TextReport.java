package dev.hedra.bench.report;

import dev.hedra.bench.report.Comparison.MemoryVerdict;
import dev.hedra.bench.report.Comparison.Target;
import dev.hedra.bench.report.Comparison.TimeVerdict;
import dev.hedra.bench.report.SuiteResults.WorkloadInfo;
import dev.hedra.bench.suite.WorkloadResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The suite's console report: the time, memory and latency tables, Hedra's geometric mean, the
 * targets with met / NOT met, and the runs that failed. Plain ASCII, one table per concern.
 */
public final class TextReport {

    /** Live bytes below which resident / live is not shown. */
    static final long MEANINGFUL_LIVE_BYTES = 1 << 20;
    /** After the figure of a run that stopped at its time cap. */
    static final String CAPPED_MARK = "*";

    /** The latency columns, in the order of {@link WorkloadResult#latencyNanos()}'s arrays. */
    public static final List<String> LATENCY_COLUMNS = List.of("min", "p50", "mean", "p99", "p99.9", "max");

    private final Comparison comparison;
    private final SuiteResults results;

    public TextReport(Comparison comparison) {
        this.comparison = comparison;
        this.results = comparison.results();
    }

    /** Every table, separated by blank lines. */
    public void print(PrintStream out) {
        printTimes(out);
        out.println();
        printMemory(out);
        out.println();
        printLatencies(out);
        out.println();
        printFailures(out);
        printTargets(out);
    }

    public void printTimes(PrintStream out) {
        out.println("Time: each workload's headline metric; speedup = Hedra over the fastest peer (2.00x = twice"
                + " as fast)");
        var rows = new ArrayList<List<String>>();
        var header = new ArrayList<>(List.of("workload", "metric", "better"));
        header.addAll(results.allocatorNames());
        header.addAll(List.of("best peer", "speedup", "met"));
        rows.add(header);
        for (WorkloadInfo workload : results.workloads()) {
            Optional<WorkloadResult> any = results.runsOf(workload.name()).stream()
                    .map(RunRecord::result).flatMap(Optional::stream).findFirst();
            var row = new ArrayList<String>();
            row.add(workload.name());
            row.add(any.map(WorkloadResult::metricName).orElse("-"));
            row.add(any.map(result -> result.lowerIsBetter() ? "lower" : "higher").orElse("-"));
            for (String allocator : results.allocatorNames()) {
                row.add(cell(workload.name(), allocator, result -> metric(result.metric())));
            }
            Optional<TimeVerdict> verdict = comparison.time(workload.name());
            row.add(verdict.map(v -> v.bestPeer().allocator()).orElse("-"));
            row.add(verdict.map(v -> ratio(v.speedup())).orElse("-"));
            row.add(verdict.map(v -> v.met() ? "yes" : "NO").orElse("-"));
            rows.add(row);
        }
        printTable(out, rows, 3);
        out.println("met: at least 1.00x on a workload, at least " + ratio(Comparison.TRACE_TARGET)
                + " on a trace (trace-*)");
        printCappedNote(out, "its rate is compared");
    }

    public void printMemory(PrintStream out) {
        out.println("Memory: peak resident MiB above the JVM's baseline, and in brackets resident / live requested"
                + " bytes at peak (when live >= 1 MiB); best peer = least resident");
        var rows = new ArrayList<List<String>>();
        var header = new ArrayList<>(List.of("workload", "live MiB"));
        header.addAll(results.allocatorNames());
        header.addAll(List.of("best peer", "hedra/best", "met"));
        rows.add(header);
        for (WorkloadInfo workload : results.workloads()) {
            var row = new ArrayList<String>();
            row.add(workload.name());
            row.add(results.runsOf(workload.name()).stream().map(RunRecord::result).flatMap(Optional::stream)
                    .mapToLong(WorkloadResult::peakLiveBytes).max().stream()
                    .mapToObj(Comparison::mebibytes).findFirst().orElse("-"));
            for (String allocator : results.allocatorNames()) {
                row.add(cell(workload.name(), allocator, result -> Comparison.mebibytes(result.peakResidentBytes())
                        + overLive(result).map(ratio -> " (" + ratio + ")").orElse("")));
            }
            Optional<MemoryVerdict> verdict = comparison.memory(workload.name());
            row.add(verdict.map(v -> v.bestPeer().allocator()).orElse("-"));
            row.add(verdict.map(v -> format("%.2f", v.ratio())).orElse("-"));
            row.add(verdict.map(v -> v.met() ? "yes" : "NO").orElse("-"));
            rows.add(row);
        }
        printTable(out, rows);
        printCappedNote(out, "its peak memory is not compared");
    }

    public void printLatencies(PrintStream out) {
        var rows = new ArrayList<List<String>>();
        var header = new ArrayList<>(List.of("workload", "latency of", "allocator"));
        header.addAll(LATENCY_COLUMNS);
        rows.add(header);
        for (WorkloadInfo workload : results.workloads()) {
            for (String series : latencySeries(results, workload.name())) {
                for (String allocator : results.allocatorNames()) {
                    Optional<double[]> figures = results.run(workload.name(), allocator)
                            .flatMap(RunRecord::result)
                            .map(result -> result.latencyNanos().get(series));
                    if (figures.isEmpty()) {
                        continue;
                    }
                    var row = new ArrayList<>(List.of(workload.name(), series, allocator));
                    for (double value : figures.get()) {
                        row.add(metric(value));
                    }
                    rows.add(row);
                }
            }
        }
        if (rows.size() == 1) {
            out.println("Latency: no workload in this selection measures latencies");
            return;
        }
        out.println("Latency, ns per call (lower is better)");
        printTable(out, rows, 3);
    }

    public void printFailures(PrintStream out) {
        if (!results.notes().isEmpty()) {
            out.println("Not run:");
            results.notes().forEach(note -> out.println("  " + note));
            out.println();
        }
        List<RunRecord> failed = results.runs().stream().filter(run -> !run.isMeasured()).toList();
        if (!failed.isEmpty()) {
            out.println("Failed runs (see results.json for each one's stderr):");
            failed.forEach(run -> out.println("  " + run.workload() + " on " + run.allocator() + ": "
                    + run.problemSummary()));
            out.println();
        }
    }

    public void printTargets(PrintStream out) {
        out.println("Geometric mean of Hedra's speedups over the best peer: " + comparison.geometricMeanSpeedup()
                .stream().mapToObj(TextReport::ratio).findFirst().orElse("not measured")
                + " (" + comparison.plainWorkloads().size() + " workload(s), traces apart)");
        out.println();
        out.println("Targets");
        int width = comparison.targets().stream().mapToInt(target -> target.area().length()).max().orElse(0);
        for (Target target : comparison.targets()) {
            out.printf("  %-" + width + "s  %-12s  %s%n", target.area(), target.outcome().label(), target.requirement());
            out.printf("  %-" + width + "s  %-12s  (%s)%n", "", "", target.detail());
        }
    }

    /** The names of a workload's latency series, in the order the first run that has them lists them. */
    static List<String> latencySeries(SuiteResults results, String workload) {
        return results.runsOf(workload).stream()
                .map(RunRecord::result)
                .flatMap(Optional::stream)
                .map(WorkloadResult::latencyNanos)
                .filter(map -> !map.isEmpty())
                .map(Map::keySet)
                .map(List::copyOf)
                .findFirst()
                .orElse(List.of());
    }

    /** A result's figure; {@value #CAPPED_MARK} after it if the run stopped at its time cap. */
    private String cell(String workload, String allocator, Function<WorkloadResult, String> text) {
        return results.run(workload, allocator)
                .map(run -> run.result().map(result -> text.apply(result) + (result.capped() ? CAPPED_MARK : ""))
                        .orElse("failed"))
                .orElse("-");
    }

    /** After a table: what the mark of a capped run means, if the results have one. */
    private void printCappedNote(PrintStream out, String consequence) {
        if (results.workloads().stream().flatMap(w -> results.runsOf(w.name()).stream())
                .map(RunRecord::result).flatMap(Optional::stream).anyMatch(WorkloadResult::capped)) {
            out.println(CAPPED_MARK + " stopped at its time cap, having done part of the workload: " + consequence);
        }
    }

    /** Three or four significant digits, with k/M/G past ten thousand: short enough for wide tables. */
    public static String metric(double value) {
        if (!Double.isFinite(value)) {
            return "?";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e9) {
            return format("%.2fG", value / 1e9);
        } else if (magnitude >= 1e6) {
            return format("%.2fM", value / 1e6);
        } else if (magnitude >= 1e4) {
            return format("%.1fk", value / 1e3);
        } else if (magnitude >= 100) {
            return format("%.0f", value);
        } else if (magnitude >= 10) {
            return format("%.1f", value);
        }
        return format("%.2f", value);
    }

    public static String ratio(double value) {
        return Double.isFinite(value) ? format("%.2fx", value) : "?";
    }

    /**
     * Resident over live bytes at peak, when live bytes are at least {@value #MEANINGFUL_LIVE_BYTES}
     * (below that the ratio is the allocator's fixed overhead over almost nothing).
     */
    static Optional<String> overLive(WorkloadResult result) {
        double ratio = result.residentOverLive();
        return result.peakLiveBytes() >= MEANINGFUL_LIVE_BYTES && Double.isFinite(ratio)
                ? Optional.of(format("%.2f", ratio))
                : Optional.empty();
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }

    /** Prints rows as columns: the first column left-aligned, the others right-aligned. */
    public static void printTable(PrintStream out, List<? extends List<String>> rows) {
        printTable(out, rows, 1);
    }

    /** Prints rows as columns: the first {@code leftAligned} columns left-aligned, the others right-aligned. */
    static void printTable(PrintStream out, List<? extends List<String>> rows, int leftAligned) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            var line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String text = row.get(c);
                String padding = " ".repeat(widths[c] - text.length());
                String separator = c == 0 ? "" : "  ";
                line.append(c < leftAligned ? separator + text + padding : separator + padding + text);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
