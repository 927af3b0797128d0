package dev.hedra.bench.suite;

import dev.hedra.bench.report.SuiteResults;
import dev.hedra.bench.suite.SuiteCatalog.AllocatorEntry;
import dev.hedra.bench.suite.SuiteCatalog.WorkloadEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The command line of {@link Suite}.
 *
 * @param workloads the names given to {@code --workloads}: empty for the default selection;
 *     {@code all} and {@code traces} stand for groups
 * @param allocators the names given to {@code --allocators}, empty for all
 * @param scale the size of each run, passed to {@code RunOne --scale}
 * @param outputDirectory where results.json, results.csv and report.html go
 * @param micro whether to run the JMH comparison (workloads a-d) too
 * @param quick whether this is a smoke run (small scale; JMH's quick settings)
 * @param timeout how long one child JVM may run before it is killed and counted as failed
 * @param runs how many times each pair runs (in interleaved rounds); the median run is kept
 * @param reportFrom a directory whose results.json is to be reported again, without running anything
 */
record SuiteOptions(
        List<String> workloads,
        List<String> allocators,
        double scale,
        Path outputDirectory,
        boolean micro,
        boolean quick,
        Duration timeout,
        int runs,
        Optional<Path> reportFrom,
        boolean help) {

    /**
     * The default size of a run: the default selection on all allocators took 6 min 49 s on two
     * cores with it on 2026-11-22 (f24d19d; warm-ups included, which last until the JIT is quiet).
     */
    static final double DEFAULT_SCALE = 0.2;
    static final double QUICK_SCALE = 0.1;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    static final int USAGE_WIDTH = 100;
    static final String ALL = "all";
    static final String TRACES = "traces";

    /**
     * Parses the arguments; names are checked later against the catalog ({@link #selectWorkloads}).
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static SuiteOptions parse(String... args) {
        List<String> workloads = List.of();
        List<String> allocators = List.of();
        Double scale = null;
        Optional<Path> out = Optional.empty();
        boolean micro = false;
        boolean quick = false;
        boolean full = false;
        Duration timeout = DEFAULT_TIMEOUT;
        int runs = 1;
        Optional<Path> reportFrom = Optional.empty();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--workloads" -> workloads = names(valueOf(args, ++i, arg));
                case "--allocators" -> allocators = names(valueOf(args, ++i, arg));
                case "--scale" -> scale = positive(valueOf(args, ++i, arg), arg);
                case "--quick" -> quick = true;
                case "--full" -> full = true;
                case "--out" -> out = Optional.of(Path.of(valueOf(args, ++i, arg)));
                case "--micro" -> micro = true;
                case "--timeout" -> timeout = Duration.ofMillis(Math.round(1000 * positive(valueOf(args, ++i, arg), arg)));
                case "--runs" -> runs = count(valueOf(args, ++i, arg), arg);
                case "--report" -> reportFrom = Optional.of(Path.of(valueOf(args, ++i, arg)));
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (full) {
            if (!workloads.isEmpty() && !workloads.equals(List.of(ALL))) {
                throw new IllegalArgumentException("--full runs every workload; leave out --workloads");
            }
            workloads = List.of(ALL);
        }
        if (scale == null) {
            scale = quick ? QUICK_SCALE : DEFAULT_SCALE;
        }
        Optional<Path> from = reportFrom;
        Path outputDirectory = out.orElseGet(() -> from.orElseGet(() -> Path.of("results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)))));
        return new SuiteOptions(workloads, allocators, scale, outputDirectory, micro, quick, timeout, runs, reportFrom,
                help);
    }

    /**
     * The workloads to run, in the catalog's order.
     *
     * @throws IllegalArgumentException for a name the catalog does not know
     */
    List<WorkloadEntry> selectWorkloads(SuiteCatalog catalog) {
        List<WorkloadEntry> known = catalog.workloads();
        if (workloads.isEmpty()) {
            return known.stream().filter(WorkloadEntry::inDefaultSelection).toList();
        }
        var chosen = new LinkedHashSet<String>();
        for (String name : workloads) {
            switch (name) {
                case ALL -> known.forEach(w -> chosen.add(w.name()));
                case TRACES -> known.stream().filter(w -> w.name().startsWith(SuiteResults.TRACE_PREFIX))
                        .forEach(w -> chosen.add(w.name()));
                default -> {
                    if (known.stream().noneMatch(w -> w.name().equals(name))) {
                        throw new IllegalArgumentException("unknown workload '" + name + "'; known: "
                                + known.stream().map(WorkloadEntry::name).collect(Collectors.joining(",")));
                    }
                    chosen.add(name);
                }
            }
        }
        return known.stream().filter(w -> chosen.contains(w.name())).toList();
    }

    /**
     * The allocators to run, in the catalog's order, Hedra always among them (the tables compare
     * with it).
     *
     * @throws IllegalArgumentException for a name the catalog does not know
     */
    List<AllocatorEntry> selectAllocators(SuiteCatalog catalog) {
        List<AllocatorEntry> known = catalog.allocators();
        if (allocators.isEmpty() || allocators.contains(ALL)) {
            return known;
        }
        for (String name : allocators) {
            if (known.stream().noneMatch(a -> a.name().equals(name))) {
                throw new IllegalArgumentException("unknown allocator '" + name + "'; known: "
                        + known.stream().map(AllocatorEntry::name).collect(Collectors.joining(",")));
            }
        }
        return known.stream()
                .filter(a -> a.name().equals(SuiteResults.HEDRA) || allocators.contains(a.name()))
                .toList();
    }

    /** The usage text, listing the catalog's workloads and allocators. */
    static String usage(SuiteCatalog catalog) {
        int width = catalog.workloads().stream().mapToInt(w -> w.name().length()).max().orElse(10);
        String workloads = catalog.workloads().stream()
                .map(w -> wrap(String.format(Locale.ROOT, "    %-" + width + "s  %s", w.name(),
                        (w.inDefaultSelection() ? "* " : "  ") + w.description()), width + 8))
                .collect(Collectors.joining("\n"));
        int allocatorWidth = catalog.allocators().stream().mapToInt(a -> a.name().length()).max().orElse(10);
        String allocators = catalog.allocators().stream()
                .map(a -> wrap(String.format(Locale.ROOT, "    %-" + allocatorWidth + "s  %s", a.name(),
                        a.unavailableReason().map(reason -> "not here: " + reason).orElse(a.notes())).stripTrailing(),
                        allocatorWidth + 6))
                .collect(Collectors.joining("\n"));
        return """
                Usage: scripts/bench [options]
                   or: java --enable-native-access=ALL-UNNAMED -cp hedra-bench/target/benchmarks.jar \\
                            dev.hedra.bench.suite.Suite [options]

                Runs allocator workloads on Hedra and on each peer allocator this machine has, each pair in
                a fresh JVM (-Xms512m -Xmx512m -XX:+AlwaysPreTouch; jemalloc through LD_PRELOAD), then prints
                the time, memory and latency tables with Hedra's ratio to the best peer and the project's
                targets (met / NOT met), and writes results.json, results.csv and report.html (charts; opens
                offline in any browser).

                  --workloads LIST   comma-separated workload names, or 'all' (every workload, traces
                                     included), or 'traces' (the trace replays); default: the ones marked *
                  --full             the full set: every workload, traces included (= --workloads all)
                  --allocators LIST  comma-separated allocator names (default: all); Hedra always runs
                  --scale X          size of each run, 1.0 = the workloads' default size (default %s);
                                     run time grows about linearly with it
                  --quick            a smoke run: --scale %s unless --scale is given; JMH's quick mode
                                     with --micro
                  --out DIR          output directory (default: results/<date-time>)
                  --micro            also run the JMH comparison of workloads a-d (dev.hedra.bench.Compare,
                                     5-10 more minutes) and put its tables in the report
                  --timeout SECONDS  a run that takes longer is killed and counted as failed (default %d)
                  --runs N           run every pair N times, in N rounds over all pairs, and keep each
                                     pair's median run (by its headline metric); prints each pair's
                                     spread. For noisy machines: N times the run time (default 1)
                  --report DIR       run nothing: print the tables of DIR/results.json again and rewrite
                                     its report.html (into --out DIR2 if given)
                  --help             print this

                Workloads (* = the default selection, about 7 minutes on two cores):
                %s

                Allocators:
                %s

                One pair by hand (jemalloc also needs LD_PRELOAD=<its libjemalloc.so.2>):
                  java %s \\
                       -cp hedra-bench/target/benchmarks.jar dev.hedra.bench.suite.RunOne \\
                       --workload NAME --allocator NAME [--scale X]
                """.formatted(number(DEFAULT_SCALE), number(QUICK_SCALE), DEFAULT_TIMEOUT.toSeconds(),
                workloads.isEmpty() ? "    (none)" : workloads,
                allocators.isEmpty() ? "    (none)" : allocators, String.join(" ", SuiteProcess.JVM_OPTIONS));
    }

    /** Wraps {@code line} at {@value #USAGE_WIDTH} columns, continuing at column {@code indent}. */
    static String wrap(String line, int indent) {
        var wrapped = new StringBuilder();
        int lineStart = 0;
        for (String word : line.split(" (?=\\S)")) {
            int length = wrapped.length() - lineStart;
            if (length > indent && length + 1 + word.strip().length() > USAGE_WIDTH) {
                wrapped.append('\n');
                lineStart = wrapped.length();
                wrapped.append(" ".repeat(indent)).append(word.strip());
            } else {
                wrapped.append(wrapped.isEmpty() ? "" : " ").append(word);
            }
        }
        return wrapped.toString();
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.1f", value) : Double.toString(value);
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int count(String text, String option) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(option + " needs a whole number, not '" + text + "'");
        }
        if (value < 1 || value > 99) {
            throw new IllegalArgumentException(option + " needs a number from 1 to 99, not '" + text + "'");
        }
        return value;
    }

    private static double positive(String text, String option) {
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(option + " needs a number, not '" + text + "'");
        }
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " needs a positive number, not '" + text + "'");
        }
        return value;
    }

    private static List<String> names(String commaSeparated) {
        var names = new ArrayList<String>();
        for (String name : commaSeparated.split(",")) {
            if (!name.isBlank() && !names.contains(name.strip())) {
                names.add(name.strip());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("empty list: '" + commaSeparated + "'");
        }
        return List.copyOf(names);
    }
}
