package dev.hedra.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs one (workload, allocator) pair through JMH's Runner API, in a fork of its own, with the GC
 * profiler for the heap bytes per operation. JMH's own report is kept out of the console: it goes
 * to {@code jmhLog}, and the part that explains a failure is returned with it.
 */
final class ComparisonRunner {

    private static final String HEAP_BYTES_PER_OPERATION = "gc.alloc.rate.norm";
    private static final int FAILURE_EXCERPT_LINES = 60;

    private final RunSettings settings;
    private final Optional<Path> jemallocJvm;
    private final Consumer<String> jmhLog;

    /**
     * @param jemallocJvm the executable that starts a JVM with jemalloc preloaded, if jemalloc runs
     * @param jmhLog receives JMH's full report of each run
     */
    ComparisonRunner(RunSettings settings, Optional<Path> jemallocJvm, Consumer<String> jmhLog) {
        this.settings = settings;
        this.jemallocJvm = jemallocJvm;
        this.jmhLog = jmhLog;
    }

    Measurement run(Workload workload, PeerKind peer) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(workload.includePattern())
                .param("allocator", peer.peerName())
                .jvmArgs() // forks get AllocatorBenchmark's arguments only, not this JVM's
                .forks(settings.forks())
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.iterationMillis()))
                .measurementIterations(settings.measurementIterations())
                .measurementTime(TimeValue.milliseconds(settings.iterationMillis()))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL);
        if (peer == PeerKind.JEMALLOC) {
            options.jvm(jemallocJvm.orElseThrow().toString());
        }
        var report = new ByteArrayOutputStream();
        var format = OutputFormatFactory.createFormatInstance(
                new PrintStream(report, true, StandardCharsets.UTF_8), VerboseMode.NORMAL);
        try {
            Collection<RunResult> results = new Runner(options.build(), format).run();
            if (results.isEmpty()) {
                return Measurement.failed(
                        workload, peer, failureExcerpt(report.toString(StandardCharsets.UTF_8)));
            }
            RunResult result = results.iterator().next();
            Result<?> primary = result.getPrimaryResult();
            Result<?> heap = result.getSecondaryResults().get(HEAP_BYTES_PER_OPERATION);
            return Measurement.measured(workload, peer, primary.getScore(), primary.getScoreError(),
                    heap == null ? Double.NaN : heap.getScore());
        } catch (RunnerException | RuntimeException failure) {
            String text = report.toString(StandardCharsets.UTF_8);
            return Measurement.failed(workload, peer, failureExcerpt(text) + "\n(" + failure + ")");
        } finally {
            jmhLog.accept(report.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * The part of a JMH report that explains a failure: from the benchmark's exception
     * ({@code <failure>}) or the fork's death ({@code <forked VM failed ...>}) on.
     */
    static String failureExcerpt(String report) {
        List<String> lines = Arrays.asList(report.split("\n"));
        int start = Math.max(0, lines.size() - FAILURE_EXCERPT_LINES);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("<failure>") || lines.get(i).contains("<forked VM failed")) {
                start = i;
                break;
            }
        }
        List<String> excerpt = lines.subList(start, Math.min(lines.size(), start + FAILURE_EXCERPT_LINES));
        return String.join("\n", excerpt).strip();
    }
}
