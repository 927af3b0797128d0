package dev.hedra.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The comparison behind {@code scripts/bench}: runs the chosen workloads on Hedra and each peer
 * that this machine has, one JMH fork per pair, then prints the time table with Hedra's speedups
 * against its targets and the heap-allocation table. See {@link CompareOptions#USAGE}.
 *
 * <p>jemalloc's forks start through a script that preloads it ({@link JemallocPreload}); every
 * other fork is a plain JVM with the arguments of {@link AllocatorBenchmark}.
 *
 * <p>Exit status: 0 when every pair was measured, 1 when some failed, 2 for a bad command line.
 */
public final class Compare {

    private final CompareOptions options;
    private final PrintStream out;

    private Compare(CompareOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        CompareOptions options;
        try {
            options = CompareOptions.parse(args);
        } catch (IllegalArgumentException bad) {
            System.err.println("Compare: " + bad.getMessage());
            System.err.print(CompareOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(CompareOptions.USAGE);
            return;
        }
        System.exit(new Compare(options, System.out).run());
    }

    private int run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Map<String, String> settings = settings();
        out.println("Hedra benchmark comparison");
        settings.forEach((key, value) -> out.printf("  %-10s %s%n", key, value));

        List<PeerKind> peers = availablePeers();
        Optional<Path> jemallocJvm = Optional.empty();
        if (peers.contains(PeerKind.JEMALLOC)) {
            jemallocJvm = jemallocJvm();
            if (jemallocJvm.isEmpty()) {
                peers.remove(PeerKind.JEMALLOC);
            }
        }

        List<Measurement> measurements = new ArrayList<>();
        record Run(Workload workload, PeerKind peer) {}
        List<Run> runs = new ArrayList<>();
        for (Workload workload : options.workloads()) {
            for (PeerKind peer : peers) {
                Optional<String> unsupported = workload.unsupportedReason(peer);
                if (unsupported.isPresent()) {
                    out.printf("  not run    %s on %s: %s%n",
                            peer.peerName(), workload.label(), unsupported.get());
                    measurements.add(Measurement.unsupported(workload, peer, unsupported.get()));
                } else {
                    runs.add(new Run(workload, peer));
                }
            }
        }
        out.printf("  estimate   %d runs, about %d min%n%n", runs.size(), estimatedMinutes(runs.size()));
        var runner = new ComparisonRunner(options.settings(), jemallocJvm, jmhLog());
        for (int i = 0; i < runs.size(); i++) {
            out.printf("[%2d/%d] ", i + 1, runs.size());
            measurements.add(runAndPrint(runner, runs.get(i).workload(), runs.get(i).peer()));
        }

        measurements.sort(Comparator.comparing(Measurement::workload).thenComparing(Measurement::peer));
        var report = new ComparisonReport(options.workloads(), peers, measurements);
        out.println();
        report.printTimes(out);
        out.println();
        report.printHeapAllocation(out);
        if (options.outputDirectory().isPresent()) {
            report.write(options.outputDirectory().get(), settings);
            out.println();
            out.println("Wrote measurements.csv, summary.csv, results.json and jmh.log to "
                    + options.outputDirectory().get());
        }
        long failures = measurements.stream().filter(m -> m.status() == Measurement.Status.FAILED).count();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        out.printf("%nDone in %d min %02d s%s%n", elapsed.toMinutes(), elapsed.toSecondsPart(),
                failures == 0 ? "" : "; " + failures + " run(s) failed, see above");
        return failures == 0 ? 0 : 1;
    }

    private Measurement runAndPrint(ComparisonRunner runner, Workload workload, PeerKind peer) {
        out.printf("%s %-15s ", workload.label(), peer.peerName());
        out.flush();
        long start = System.nanoTime();
        Measurement m = runner.run(workload, peer);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        if (m.isMeasured()) {
            out.printf(Locale.ROOT, "%9.2f +- %-6.2f ns/op   heap %.2f B/op   (%d s)%n",
                    m.nanosPerOperation(), m.error(), m.heapBytesPerOperation(), seconds);
        } else {
            out.printf("FAILED (%d s)%n", seconds);
            m.problem().ifPresent(problem -> problem.lines().forEach(line -> out.println("    | " + line)));
        }
        return m;
    }

    /**
     * Writes the script that starts jemalloc's forks and checks, in a JVM it starts, that jemalloc
     * is really there; prints what it found. Empty if jemalloc cannot run.
     */
    private Optional<Path> jemallocJvm() throws IOException, InterruptedException {
        Path library = JemallocPreload.findLibrary().orElseThrow();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path wrapper = JemallocPreload.writeJvmWrapper(library, java);
        try {
            String version = JemallocPreload.checkInChildJvm(wrapper);
            out.println("  jemalloc   " + version + ", forks run with LD_PRELOAD=" + library
                    + "; each checks mallctl(\"version\") before measuring");
            return Optional.of(wrapper);
        } catch (IllegalStateException failure) {
            out.println("  skipping   jemalloc: " + failure.getMessage());
            return Optional.empty();
        }
    }

    /** The peers that can run here; prints a note for each one that cannot. */
    private List<PeerKind> availablePeers() {
        List<PeerKind> available = new ArrayList<>();
        for (PeerKind peer : options.peers()) {
            Optional<String> reason = peer.unavailableReason();
            if (reason.isPresent()) {
                out.println("  skipping   " + peer.peerName() + ": " + reason.get());
            } else {
                available.add(peer);
            }
        }
        return available;
    }

    /** Appends JMH's full report to {@code jmh.log} in the output directory, if there is one. */
    private Consumer<String> jmhLog() throws IOException {
        if (options.outputDirectory().isEmpty()) {
            return report -> {};
        }
        Path log = options.outputDirectory().get().resolve("jmh.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "");
        return report -> {
            try {
                Files.writeString(log, report, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                out.println("  (could not append to " + log + ": " + e.getMessage() + ")");
            }
        };
    }

    private Map<String, String> settings() {
        RunSettings run = options.settings();
        var settings = new LinkedHashMap<String, String>();
        settings.put("selection", options.toString());
        settings.put("JDK", System.getProperty("java.vm.vendor") + " "
                + System.getProperty("java.runtime.version") + " at " + System.getProperty("java.home"));
        settings.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        settings.put("JMH", run.describe() + (run == RunSettings.QUICK ? " (--quick: rough figures)" : "")
                + "; average time; GC profiler");
        settings.put("fork args", String.join(" ", AllocatorBenchmark.FORK_JVM_ARGS));
        settings.put("hedra", "Hedra.allocator() with the sized free(address, size); hedra.checks=false");
        settings.put("peers", "native ones through FFM critical downcalls (glibc malloc/free, jemalloc "
                + "malloc/free, mimalloc mi_malloc/mi_free, tcmalloc tc_malloc/tc_free); arena = "
                + "Arena.ofConfined() per block; netty-* = direct buffers with per-thread caches");
        return settings;
    }

    private long estimatedMinutes(int runs) {
        RunSettings run = options.settings();
        double forkStartSeconds = 2;
        double iterationSeconds = run.iterationMillis() / 1000.0;
        int iterations = run.warmupIterations() + run.measurementIterations();
        double seconds = runs * run.forks() * (forkStartSeconds + iterations * iterationSeconds);
        return Math.max(1, Math.round(seconds / 60));
    }
}
