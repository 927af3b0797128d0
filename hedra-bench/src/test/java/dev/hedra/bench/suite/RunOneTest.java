package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hedra.bench.report.WorkloadResultJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RunOne's line has every field of the result and reads back; RunOne runs jemalloc when preloaded. */
class RunOneTest {

    @Test
    void theResultLineReadsBackIntoTheSameResult() throws Exception {
        String line = RunOne.run("glibc-simple", "hedra", 0.005, 0.001);
        assertTrue(line.startsWith(RunOne.RESULT_PREFIX), line);
        assertTrue(!line.contains("\n"), "one line");
        WorkloadResult result = RunOne.parseResult(line);
        assertEquals("glibc-simple", result.workload());
        assertEquals("hedra", result.allocator());
        assertTrue(result.seconds() > 0);
        assertTrue(result.operations() > 0);
        assertTrue(result.peakLiveBytes() > 0);
        assertTrue(result.peakResidentBytes() >= 0);
        assertTrue(!result.residentTimeline().isEmpty());
        for (String field : List.of("\"workload\"", "\"allocator\"", "\"seconds\"", "\"operations\"", "\"metricName\"",
                "\"metric\"", "\"lowerIsBetter\"", "\"peakResidentBytes\"", "\"peakLiveBytes\"", "\"residentTimeline\"",
                "\"latencyNanos\"", "\"residentOverLive\"")) {
            assertTrue(line.contains(field + ":"), field + " in " + line);
        }
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        Map<String, double[]> latency = new LinkedHashMap<>();
        latency.put("malloc 4 KiB", new double[] {12, 30, 41.5, 250, 1200.25, 52_000});
        latency.put("free \"odd\" name\\", new double[] {1, 2, 3, 4, 5, 6});
        List<long[]> timeline = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            timeline.add(new long[] {i * 5L, i * 4096L - 8192});
        }
        WorkloadResult original = new WorkloadResult("latency", "netty-pooled", 1.234567, 9_876_543_210L,
                "mean ns per call", 123.456789, true, 3L << 30, 5_000_000_123L, timeline, latency);

        WorkloadResult parsed = RunOne.parseResult(RunOne.RESULT_PREFIX + WorkloadResultJson.write(original));

        assertEquals(original.workload(), parsed.workload());
        assertEquals(original.allocator(), parsed.allocator());
        assertEquals(original.seconds(), parsed.seconds(), 1e-5);
        assertEquals(original.operations(), parsed.operations());
        assertEquals(original.metricName(), parsed.metricName());
        assertEquals(original.metric(), parsed.metric(), 1e-3);
        assertEquals(original.lowerIsBetter(), parsed.lowerIsBetter());
        assertEquals(original.peakResidentBytes(), parsed.peakResidentBytes());
        assertEquals(original.peakLiveBytes(), parsed.peakLiveBytes());
        assertEquals(original.residentTimeline().size(), parsed.residentTimeline().size());
        for (int i = 0; i < timeline.size(); i++) {
            assertArrayEquals(original.residentTimeline().get(i), parsed.residentTimeline().get(i));
        }
        assertEquals(original.latencyNanos().keySet(), parsed.latencyNanos().keySet());
        original.latencyNanos().forEach((name, figures) ->
                assertArrayEquals(figures, parsed.latencyNanos().get(name), 1e-2, name));
    }

    @Test
    void aResultWithoutLiveBytesWritesNullForItsRatio() {
        WorkloadResult none = new WorkloadResult("w", "a", 0.5, 1, "ns per op", 2.0, true, 0, 0, List.of(), Map.of());
        String json = WorkloadResultJson.write(none);
        assertTrue(json.matches(".*\"residentOverLive\": ?null.*"), json);
        assertEquals(0, RunOne.parseResult(json).peakLiveBytes());
        assertThrows(IllegalArgumentException.class, () -> RunOne.parseResult("RESULT [1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> RunOne.parseResult("RESULT {\"workload\": "));
    }

    @Test
    void unknownNamesAreRefusedBeforeAnyWork() {
        assertThrows(IllegalArgumentException.class, () -> RunOne.run("no-such-workload", "hedra", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> RunOne.run("larson", "no-such-allocator", 1, 0));
    }

    /** The main class in a JVM of its own, as the suite runner starts it: jemalloc preloaded. */
    @Test
    void printsExactlyOneResultLineForJemallocInAJvmThatPreloadsIt() throws Exception {
        Path library = SuiteAllocators.jemallocLibrary().orElse(null);
        assumeTrue(library != null, SuiteAllocators.missingNote("jemalloc").orElse("jemalloc missing"));
        List<String> stdout = runMainInChildJvm(library, "--workload", "larson", "--allocator", "jemalloc",
                "--scale", "0.005", "--warmup-scale", "0.002");
        assertEquals(1, stdout.size(), "stdout: " + stdout);
        WorkloadResult result = RunOne.parseResult(stdout.get(0));
        assertEquals("jemalloc", result.allocator());
        assertEquals("larson", result.workload());
        assertTrue(result.operations() > 0);
    }

    private static List<String> runMainInChildJvm(Path preload, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), RunOne.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LD_PRELOAD", preload.toString());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("RunOne did not finish: " + output);
        }
        assertEquals(0, child.exitValue(), "exit status; stdout: " + output);
        return output.lines().toList();
    }
}
