package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.bench.report.ResultFiles;
import dev.hedra.bench.report.RunRecord;
import dev.hedra.bench.report.SuiteResults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite end to end, with child JVMs running {@link FakeRunOne} instead of {@code RunOne}:
 * progress, a crash and a timeout recorded without stopping, a missing peer skipped with its
 * note, the tables, and the three files.
 */
class SuiteTest {

    @TempDir
    Path directory;

    /** Stands in for {@code RunOne}: prints a made-up RESULT line, or fails the way its name says. */
    public static final class FakeRunOne {
        public static void main(String[] args) throws InterruptedException {
            String workload = args[1];
            String allocator = args[3];
            double scale = Double.parseDouble(args[5]);
            switch (allocator) {
                case "crashy" -> throw new IllegalStateException("boom in " + workload);
                case "sleepy" -> {
                    if (workload.equals("w2")) {
                        Thread.sleep(120_000);
                    }
                }
                default -> {}
            }
            double nanos = (allocator.equals("hedra") ? 10 : 30) * scale;
            if (allocator.equals("noisy")) { // 10, 50, 20, 10, 50, ... over the rounds
                nanos = new double[] {10, 50, 20}[NoisyCounter.next()] * scale;
            }
            if (allocator.equals("late")) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(134)));
            }
            System.out.println("warming up " + workload + " on " + allocator);
            System.err.println("allocator: " + allocator + " as the fake says");
            System.out.println("RESULT {\"workload\": \"" + workload + "\", \"allocator\": \"" + allocator + "\","
                    + " \"seconds\": 0.5, \"operations\": 1000, \"metricName\": \"ns per op\", \"metric\": " + nanos
                    + ", \"lowerIsBetter\": true, \"peakResidentBytes\": " + (allocator.equals("hedra") ? 1 : 2) * 1048576
                    + ", \"peakLiveBytes\": 1000000, \"residentTimeline\": [[0, 0], [500, 1048576]],"
                    + " \"latencyNanos\": {}}");
        }
    }

    /**
     * How many times the noisy fake allocator has run, kept in a file named after the test JVM
     * (each run is a new JVM, a child of the test's).
     */
    static final class NoisyCounter {
        static Path file(long testPid) {
            return Path.of(System.getProperty("java.io.tmpdir"), "hedra-suite-test-noisy-" + testPid);
        }

        static int next() {
            try {
                Path file = file(ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L));
                int count = Files.exists(file) ? Integer.parseInt(Files.readString(file).trim()) : 0;
                Files.writeString(file, Integer.toString(count + 1));
                return count % 3;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static final SuiteCatalog CATALOG = new SuiteCatalog() {
        @Override
        public List<WorkloadEntry> workloads() {
            return List.of(new WorkloadEntry("w1", "first", true), new WorkloadEntry("w2", "second", true),
                    new WorkloadEntry("trace-t", "a trace", false));
        }

        @Override
        public List<AllocatorEntry> allocators() {
            return List.of(new AllocatorEntry("hedra", "Hedra", Optional.empty()),
                    new AllocatorEntry("peer", "a peer", Optional.empty()),
                    new AllocatorEntry("crashy", "fails", Optional.empty()),
                    new AllocatorEntry("sleepy", "hangs on w2", Optional.empty()),
                    new AllocatorEntry("late", "dies after its result", Optional.empty()),
                    new AllocatorEntry("missing", "absent", Optional.of("not installed (apt-get install missing)")));
        }
    };

    @Test
    void runsEveryPairRecordsFailuresAndWritesTheReport() throws Exception {
        var text = new ByteArrayOutputStream();
        var out = new PrintStream(text, true, StandardCharsets.UTF_8);
        int status = Suite.run(new String[] {"--out", directory.toString(), "--scale", "2", "--timeout", "4"},
                CATALOG, FakeRunOne.class.getName(), out, out);
        String console = text.toString(StandardCharsets.UTF_8);

        assertEquals(1, status, console);
        assertTrue(console.contains("skipping   missing: not installed (apt-get install missing)"), console);
        assertTrue(console.contains("[ 1/10] w1 hedra "), console);
        assertTrue(console.contains("[10/10] w2 late   "), console);
        assertTrue(console.contains("ETA "), console);
        assertTrue(console.contains("FAILED: Exception in thread \"main\" java.lang.IllegalStateException: boom in w1"),
                console);
        assertTrue(console.contains("FAILED: timed out after 4 s"), console);
        assertTrue(console.contains("Targets"), console);
        assertTrue(console.contains("Time: each workload's headline metric"), console);

        SuiteResults results = ResultFiles.read(directory.resolve(ResultFiles.JSON));
        assertEquals(10, results.runs().size());
        assertEquals(List.of("w1", "w2"), results.workloads().stream().map(SuiteResults.WorkloadInfo::name).toList());
        assertEquals(List.of("missing: not installed (apt-get install missing)"), results.notes());
        assertEquals("peer as the fake says", results.allocators().get(1).notes());
        assertEquals("fails", results.allocators().get(2).notes(), "the catalog's, when no run said");
        RunRecord hedra = results.run("w1", "hedra").orElseThrow();
        assertEquals(20.0, hedra.result().orElseThrow().metric(), 1e-9, "scale 2 reached the child");
        RunRecord crash = results.run("w2", "crashy").orElseThrow();
        assertTrue(crash.problem().contains("Reproduce with:"), crash.problem());
        assertTrue(crash.problem().contains("--workload w2 --allocator crashy --scale 2.0"), crash.problem());
        assertTrue(crash.problem().contains("at dev.hedra.bench.suite.SuiteTest$FakeRunOne.main"), crash.problem());
        assertTrue(results.run("w2", "sleepy").orElseThrow().problem().startsWith("timed out"));
        assertTrue(results.run("w1", "sleepy").orElseThrow().isMeasured());
        assertTrue(Files.readString(directory.resolve(ResultFiles.HTML)).contains("id=\"time-w2\""));
        assertEquals(11, Files.readAllLines(directory.resolve(ResultFiles.CSV)).size());
        assertTrue(results.run("w1", "late").orElseThrow().problem()
                .startsWith("failed (exit status 134, after printing its RESULT line)"),
                results.run("w1", "late").orElseThrow().problem());
        assertTrue(Files.exists(directory.resolve("logs").resolve("w1.hedra.out")));

        Path again = directory.resolve("again");
        text.reset();
        assertEquals(0, Suite.run(new String[] {"--report", directory.toString(), "--out", again.toString()},
                CATALOG, FakeRunOne.class.getName(), out, out));
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("Targets"));
        assertEquals(Files.readString(directory.resolve(ResultFiles.HTML)), Files.readString(again.resolve(ResultFiles.HTML)));
    }

    /**
     * {@code --runs 3}: three rounds over the pairs, the spread printed, and per pair the median
     * run kept (the noisy fake gives 10, 50 and 20 ns on one workload: 20 is kept).
     */
    @Test
    void repeatedRunsKeepEachPairsMedianRun() throws Exception {
        SuiteCatalog catalog = new SuiteCatalog() {
            @Override
            public List<WorkloadEntry> workloads() {
                return CATALOG.workloads();
            }

            @Override
            public List<AllocatorEntry> allocators() {
                return List.of(new AllocatorEntry("hedra", "Hedra", Optional.empty()),
                        new AllocatorEntry("noisy", "10, 50, 20 ns in turn", Optional.empty()));
            }
        };
        Path counter = NoisyCounter.file(ProcessHandle.current().pid());
        Files.deleteIfExists(counter);
        var text = new ByteArrayOutputStream();
        var out = new PrintStream(text, true, StandardCharsets.UTF_8);
        int status = Suite.run(new String[] {"--out", directory.toString(), "--workloads", "w1", "--runs", "3"},
                catalog, FakeRunOne.class.getName(), out, out);
        Files.deleteIfExists(counter);
        String console = text.toString(StandardCharsets.UTF_8);

        assertEquals(0, status, console);
        assertTrue(console.contains("[6/6] w1 noisy "), console);
        assertTrue(console.contains("Spread over the runs"), console);
        SuiteResults results = ResultFiles.read(directory.resolve(ResultFiles.JSON));
        assertEquals(2, results.runs().size(), "one run kept per pair");
        assertEquals(20 * 0.2, results.run("w1", "noisy").orElseThrow().result().orElseThrow().metric(), 1e-9,
                "the median of 10, 50 and 20 (at scale 0.2)");
        assertEquals(10 * 0.2, results.run("w1", "hedra").orElseThrow().result().orElseThrow().metric(), 1e-9);
        assertTrue(results.settings().get("rounds").startsWith("3 (every pair"), results.settings().toString());
    }

    @Test
    void aBadCommandLineExitsWithTwoAndSaysWhy() throws Exception {
        var text = new ByteArrayOutputStream();
        var out = new PrintStream(text, true, StandardCharsets.UTF_8);
        assertEquals(2, Suite.run(new String[] {"--workloads", "nope"}, CATALOG, FakeRunOne.class.getName(), out, out));
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("unknown workload 'nope'; known: w1,w2,trace-t"),
                text.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheWorkloadsAndAllocators() throws Exception {
        var text = new ByteArrayOutputStream();
        var out = new PrintStream(text, true, StandardCharsets.UTF_8);
        assertEquals(0, Suite.run(new String[] {"--help"}, CATALOG, FakeRunOne.class.getName(), out, out));
        String help = text.toString(StandardCharsets.UTF_8);
        for (String part : List.of("--workloads", "--allocators", "--scale", "--out", "--full", "--micro", "--quick",
                "w1       * first", "trace-t    a trace", "not here: not installed (apt-get install missing)")) {
            assertTrue(help.contains(part), part + " in\n" + help);
        }
    }
}
