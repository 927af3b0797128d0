package dev.hedra.bench.suite;

import dev.hedra.bench.report.Comparison;
import dev.hedra.bench.report.ResultFiles;
import dev.hedra.bench.report.RunRecord;
import dev.hedra.bench.report.SuiteResults;
import dev.hedra.bench.report.SuiteResults.AllocatorInfo;
import dev.hedra.bench.report.SuiteResults.WorkloadInfo;
import dev.hedra.bench.report.TextReport;
import dev.hedra.bench.suite.SuiteCatalog.AllocatorEntry;
import dev.hedra.bench.suite.SuiteCatalog.WorkloadEntry;
import dev.hedra.bench.suite.SuiteProgress.Pair;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The main job behind {@code scripts/bench}: runs the chosen workloads on Hedra and on every peer
 * this machine has, one fresh JVM per pair ({@link SuiteProcess} starting {@code RunOne}), with a
 * progress line per run; then prints the time, memory and latency tables and the targets
 * ({@link TextReport}) and writes {@code results.json}, {@code results.csv} and
 * {@code report.html} ({@link ResultFiles}). {@code --micro} adds the JMH comparison of workloads
 * a-d ({@link SuiteMicro}). See {@link SuiteOptions#usage}.
 *
 * <pre>
 *   Suite ──> SuiteProcess ──(java ... RunOne --workload W --allocator A --scale S)──> RESULT {json}
 *     │                                                                                   │
 *     └── SuiteResults ──> Comparison (verdicts, targets) ──> TextReport, ResultFiles, HtmlReport
 * </pre>
 *
 * <p>Exit status: 0 when every run was measured, 1 when some failed (the others are still
 * reported), 2 for a bad command line. Targets that are not met do not change it.
 */
public final class Suite {

    private final SuiteOptions options;
    private final SuiteCatalog catalog;
    private final String mainClass;
    private final PrintStream out;
    private final List<String> arguments;

    private Suite(SuiteOptions options, SuiteCatalog catalog, String mainClass, PrintStream out, List<String> arguments) {
        this.options = options;
        this.catalog = catalog;
        this.mainClass = mainClass;
        this.out = out;
        this.arguments = arguments;
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args, SuiteRegistry.catalog(), SuiteProcess.RUN_ONE, System.out, System.err));
    }

    /**
     * Runs the suite as {@link #main} does, with the workloads and allocators of {@code catalog}
     * run by {@code mainClass} (a stand-in for {@code RunOne} in tests); returns the exit status.
     */
    static int run(String[] args, SuiteCatalog catalog, String mainClass, PrintStream out, PrintStream err)
            throws IOException {
        SuiteOptions options;
        List<WorkloadEntry> workloads;
        List<AllocatorEntry> allocators;
        try {
            options = SuiteOptions.parse(args);
            if (options.help()) {
                out.print(SuiteOptions.usage(catalog));
                return 0;
            }
            if (options.reportFrom().isPresent()) {
                return report(options.reportFrom().get(), options.outputDirectory(), out);
            }
            workloads = options.selectWorkloads(catalog);
            allocators = options.selectAllocators(catalog);
        } catch (IllegalArgumentException bad) {
            err.println("Suite: " + bad.getMessage());
            err.println("scripts/bench --help lists the options, workloads and allocators.");
            return 2;
        }
        return new Suite(options, catalog, mainClass, out, List.of(args)).run(workloads, allocators);
    }

    /** {@code --report DIR}: the tables and the page again from a results.json, e.g. after the report changed. */
    private static int report(Path from, Path to, PrintStream out) throws IOException {
        SuiteResults results = ResultFiles.read(from.resolve(ResultFiles.JSON));
        new TextReport(new Comparison(results)).print(out);
        ResultFiles.writeAll(results, to);
        out.println();
        out.println("Wrote " + ResultFiles.JSON + ", " + ResultFiles.CSV + " and " + ResultFiles.HTML + " to " + to);
        return 0;
    }

    private int run(List<WorkloadEntry> workloads, List<AllocatorEntry> chosenAllocators) throws IOException {
        long start = System.nanoTime();
        Path directory = options.outputDirectory();
        Files.createDirectories(directory);
        Optional<Path> jemalloc = catalog.jemallocLibrary();
        Map<String, String> settings = settings(workloads, jemalloc);

        out.println("Hedra comparison suite");
        settings.forEach((key, value) -> out.printf("  %-10s %s%n", key, value));

        var notes = new ArrayList<String>();
        var allocators = new ArrayList<AllocatorEntry>();
        for (AllocatorEntry allocator : chosenAllocators) {
            Optional<String> reason = allocator.unavailableReason();
            if (reason.isEmpty() && allocator.name().equals(SuiteProcess.JEMALLOC) && jemalloc.isEmpty()) {
                reason = Optional.of("libjemalloc.so.2 not found (Debian: apt-get install libjemalloc2)");
            }
            if (reason.isPresent()) {
                // The catalog's notes may name the allocator already ("mimalloc skipped: ...").
                String note = reason.get().startsWith(allocator.name()) ? reason.get()
                        : allocator.name() + ": " + reason.get();
                out.println("  skipping   " + note);
                notes.add(note);
            } else {
                allocators.add(allocator);
            }
        }

        var pairs = new ArrayList<Pair>();
        for (WorkloadEntry workload : workloads) {
            for (AllocatorEntry allocator : allocators) {
                pairs.add(new Pair(workload.name(), allocator.name()));
            }
        }
        // Rounds over all pairs rather than a pair's runs back to back: a slow spell of the
        // machine then falls on every allocator alike.
        var plan = new ArrayList<Pair>();
        for (int round = 0; round < options.runs(); round++) {
            plan.addAll(pairs);
        }
        out.printf("  runs       %d (%d workload(s) x %d allocator(s)%s), one JVM each%n%n",
                plan.size(), workloads.size(), allocators.size(),
                options.runs() > 1 ? " x " + options.runs() + " rounds" : "");

        var process = new SuiteProcess(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), mainClass, jemalloc, options.timeout(), directory.resolve("logs"));
        Thread killChild = new Thread(process::destroyRunning, "suite-kill-child");
        Runtime.getRuntime().addShutdownHook(killChild);
        var progress = new SuiteProgress(plan);
        var runs = new ArrayList<RunRecord>();
        for (int i = 0; i < plan.size(); i++) {
            Pair pair = plan.get(i);
            out.print(progress.start(i));
            out.flush();
            RunRecord run = process.run(pair.workload(), pair.allocator(), options.scale());
            runs.add(run);
            progress.finished(i, run.wallSeconds());
            out.println(describe(run) + "   " + progress.eta());
            if (!run.isMeasured()) {
                run.problem().lines().skip(1).limit(2).forEach(line -> out.println("      | " + line));
            }
        }
        Runtime.getRuntime().removeShutdownHook(killChild);
        if (options.runs() > 1) {
            out.println();
            printSpread(out, pairs, runs);
            runs = new ArrayList<>(medianRuns(pairs, runs));
        }

        var results = new SuiteResults(settings,
                workloads.stream().map(w -> new WorkloadInfo(w.name(), w.description())).toList(),
                allocators.stream().map(a -> new AllocatorInfo(a.name(),
                        process.allocatorNotes().getOrDefault(a.name(), a.notes()))).toList(),
                runs, notes, Optional.empty());
        out.println();
        new TextReport(new Comparison(results)).print(out);
        ResultFiles.writeAll(withDuration(results, start), directory);

        if (options.micro()) {
            out.println();
            Optional<String> tables = new SuiteMicro(directory.resolve("micro"), out)
                    .run(options.quick(), allocators.stream().map(AllocatorEntry::name).toList());
            results = new SuiteResults(results.settings(), results.workloads(), results.allocators(), results.runs(),
                    results.notes(), tables);
            ResultFiles.writeAll(withDuration(results, start), directory);
        }

        out.println();
        out.println("Wrote " + ResultFiles.JSON + ", " + ResultFiles.CSV + ", " + ResultFiles.HTML + " and logs/ to "
                + directory);
        out.println("Open " + directory.toAbsolutePath().resolve(ResultFiles.HTML).toUri() + " in a browser.");
        long failures = results.failures();
        out.printf("Done in %s%s%n", SuiteProgress.minutesAndSeconds(Duration.ofNanos(System.nanoTime() - start)),
                failures == 0 ? "" : "; " + failures + " run(s) failed, see above");
        return failures == 0 ? 0 : 1;
    }

    /**
     * Per pair, the run whose headline metric is the median of the pair's measured runs (the
     * lower middle one for an even count). A pair with a failed run keeps that failure instead:
     * a crash now and then is a finding, not noise to be voted away.
     */
    static List<RunRecord> medianRuns(List<Pair> pairs, List<RunRecord> runs) {
        var kept = new ArrayList<RunRecord>();
        for (Pair pair : pairs) {
            List<RunRecord> mine = runsOf(pair, runs);
            Optional<RunRecord> failed = mine.stream().filter(run -> !run.isMeasured()).findFirst();
            if (failed.isPresent()) {
                kept.add(failed.get());
                continue;
            }
            List<RunRecord> sorted = mine.stream()
                    .sorted(java.util.Comparator.comparingDouble(run -> run.result().orElseThrow().metric()))
                    .toList();
            kept.add(sorted.get((sorted.size() - 1) / 2));
        }
        return kept;
    }

    private static List<RunRecord> runsOf(Pair pair, List<RunRecord> runs) {
        return runs.stream()
                .filter(run -> run.workload().equals(pair.workload()) && run.allocator().equals(pair.allocator()))
                .toList();
    }

    /** Each pair's headline metric over its runs: lowest, median, highest, and the spread. */
    private static void printSpread(PrintStream out, List<Pair> pairs, List<RunRecord> runs) {
        out.println("Spread over the runs (headline metric; the median run is the one reported)");
        out.printf(Locale.ROOT, "%-22s %-16s %10s %10s %10s %8s%n", "workload", "allocator", "lowest", "median",
                "highest", "hi/lo");
        for (Pair pair : pairs) {
            double[] metrics = runsOf(pair, runs).stream().filter(RunRecord::isMeasured)
                    .mapToDouble(run -> run.result().orElseThrow().metric()).sorted().toArray();
            if (metrics.length == 0) {
                out.printf(Locale.ROOT, "%-22s %-16s %10s%n", pair.workload(), pair.allocator(), "failed");
                continue;
            }
            double low = metrics[0];
            double high = metrics[metrics.length - 1];
            out.printf(Locale.ROOT, "%-22s %-16s %10s %10s %10s %7.2fx%n", pair.workload(), pair.allocator(),
                    TextReport.metric(low), TextReport.metric(metrics[(metrics.length - 1) / 2]),
                    TextReport.metric(high), low > 0 ? high / low : Double.NaN);
        }
    }

    private static String describe(RunRecord run) {
        String wall = String.format(Locale.ROOT, "%5.1f s", run.wallSeconds());
        if (run.result().isEmpty()) {
            return wall + "  FAILED: " + run.problemSummary();
        }
        WorkloadResult result = run.result().get();
        return String.format(Locale.ROOT, "%s  %9s %-12s  peak %7s MiB", wall, TextReport.metric(result.metric()),
                result.metricName(), Comparison.mebibytes(result.peakResidentBytes()));
    }

    private Map<String, String> settings(List<WorkloadEntry> workloads, Optional<Path> jemalloc) {
        var settings = new LinkedHashMap<String, String>();
        settings.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)));
        settings.put("machine", SuiteMachine.describe());
        settings.put("JDK", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " at " + System.getProperty("java.home"));
        settings.put("selection", (options.workloads().isEmpty() ? "the default selection: " : "")
                + String.join(",", workloads.stream().map(WorkloadEntry::name).toList()));
        settings.put("rounds", options.runs() == 1 ? "1 (one run per pair)"
                : options.runs() + " (every pair runs once per round; the median run of each pair is reported)");
        settings.put("scale", Double.toString(options.scale()) + (options.quick() ? " (--quick: rough figures)" : ""));
        settings.put("child JVM", String.join(" ", SuiteProcess.JVM_OPTIONS)
                + jemalloc.map(library -> "; jemalloc with LD_PRELOAD=" + library).orElse(""));
        settings.put("command", "scripts/bench " + String.join(" ", arguments));
        settings.put("output", options.outputDirectory().toString());
        return settings;
    }

    private static SuiteResults withDuration(SuiteResults results, long start) {
        var settings = new LinkedHashMap<>(results.settings());
        settings.put("duration", SuiteProgress.minutesAndSeconds(Duration.ofNanos(System.nanoTime() - start)));
        return new SuiteResults(settings, results.workloads(), results.allocators(), results.runs(), results.notes(),
                results.microTables());
    }
}
