package dev.hedra.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.bench.report.Comparison.Outcome;
import dev.hedra.bench.report.Comparison.Target;
import dev.hedra.bench.report.SuiteResults.AllocatorInfo;
import dev.hedra.bench.report.SuiteResults.WorkloadInfo;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static final List<String> ALLOCATORS = List.of("hedra", "glibc", "mimalloc");

    /** ns per op: hedra 10, glibc 40, mimalloc 25 on "a"; ops per s on "b"; a trace. */
    private final List<RunRecord> runs = new ArrayList<>(List.of(
            lower("a", "hedra", 10, 100), lower("a", "glibc", 40, 120), lower("a", "mimalloc", 25, 90),
            higher("b", "hedra", 3e6, 50), higher("b", "glibc", 1e6, 60), higher("b", "mimalloc", 2e6, 70),
            lower("trace-x", "hedra", 20, 10), lower("trace-x", "glibc", 30, 12), lower("trace-x", "mimalloc", 50, 11)));

    @Test
    void theSpeedupIsAgainstTheFastestPeerWhicheverWayTheMetricGoes() {
        var comparison = comparison();
        var a = comparison.time("a").orElseThrow();
        assertEquals("mimalloc", a.bestPeer().allocator());
        assertEquals(2.5, a.speedup(), 1e-9);
        var b = comparison.time("b").orElseThrow();
        assertEquals("mimalloc", b.bestPeer().allocator());
        assertEquals(1.5, b.speedup(), 1e-9);
        assertEquals(Math.sqrt(2.5 * 1.5), comparison.geometricMeanSpeedup().orElseThrow(), 1e-9);
    }

    @Test
    void theMemoryBestPeerIsTheLeastResident() {
        var comparison = comparison();
        var a = comparison.memory("a").orElseThrow();
        assertEquals("mimalloc", a.bestPeer().allocator());
        assertFalse(a.met());
        assertEquals(100.0 / 90, a.ratio(), 1e-9);
        assertTrue(comparison.memory("b").orElseThrow().met());
    }

    @Test
    void aPeerStoppedAtItsTimeCapIsNotTheMemoryBestPeer() {
        // mimalloc did part of "a" (90 MiB at its peak): glibc's 120 MiB is the figure to meet.
        runs.set(2, capped(runs.get(2)));
        var comparison = comparison();
        var memory = comparison.memory("a").orElseThrow();
        assertEquals("glibc", memory.bestPeer().allocator());
        assertTrue(memory.met());
        // Its rate still counts: it stays the fastest peer.
        assertEquals("mimalloc", comparison.time("a").orElseThrow().bestPeer().allocator());

        runs.set(1, capped(runs.get(1)));
        assertTrue(comparison().memory("a").isEmpty(), "no peer did the whole workload");
    }

    @Test
    void theTextReportMarksACappedRunAndSaysWhy() {
        runs.set(2, capped(runs.get(2)));
        var text = new java.io.ByteArrayOutputStream();
        new TextReport(comparison()).printMemory(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
        String printed = text.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(printed.contains("90.0 (1.41)*"), printed);
        assertTrue(printed.contains("* stopped at its time cap"), printed);
    }

    @Test
    void targetsSayMetNotMetOrNotMeasured() {
        List<Target> targets = comparison().targets();
        assertEquals(4, targets.size());
        assertEquals(Outcome.NOT_MET, targets.get(0).outcome(), "geometric mean 1.94x < 2x");
        assertEquals(Outcome.MET, targets.get(1).outcome(), "no workload slower");
        assertEquals(Outcome.NOT_MET, targets.get(2).outcome(), "more memory than mimalloc on a");
        assertTrue(targets.get(2).detail().contains("a "), targets.get(2).detail());
        assertEquals(Outcome.NOT_MET, targets.get(3).outcome(), "trace-x only 1.5x and more memory than mimalloc");
        assertTrue(targets.get(3).detail().contains("1.50x vs glibc"), targets.get(3).detail());
    }

    @Test
    void aFailedHedraRunIsNotMeasuredAndMissesTheTarget() {
        runs.set(0, RunRecord.failed("a", "hedra", "crash", 1));
        var comparison = comparison();
        assertTrue(comparison.time("a").isEmpty());
        Target mean = comparison.targets().get(0);
        assertEquals(Outcome.NOT_MET, mean.outcome());
        assertTrue(mean.detail().contains("not measured: a"), mean.detail());
    }

    @Test
    void withoutTracesTheTraceTargetIsNotMeasured() {
        runs.removeIf(run -> run.workload().startsWith("trace-"));
        var results = new SuiteResults(Map.of(),
                List.of(new WorkloadInfo("a", "A"), new WorkloadInfo("b", "B")),
                ALLOCATORS.stream().map(name -> new AllocatorInfo(name, "")).toList(), runs, List.of(), Optional.empty());
        Target traces = new Comparison(results).targets().get(3);
        assertEquals(Outcome.NOT_MEASURED, traces.outcome());
    }

    private Comparison comparison() {
        var results = new SuiteResults(Map.of(),
                List.of(new WorkloadInfo("a", "A"), new WorkloadInfo("b", "B"), new WorkloadInfo("trace-x", "X")),
                ALLOCATORS.stream().map(name -> new AllocatorInfo(name, "")).toList(), runs, List.of(), Optional.empty());
        return new Comparison(results);
    }

    private static RunRecord capped(RunRecord run) {
        return RunRecord.measured(run.result().orElseThrow().asCapped(), 1.5);
    }

    private static RunRecord lower(String workload, String allocator, double nanos, long residentMiB) {
        return run(workload, allocator, "ns per op", nanos, true, residentMiB);
    }

    private static RunRecord higher(String workload, String allocator, double opsPerSecond, long residentMiB) {
        return run(workload, allocator, "ops per s", opsPerSecond, false, residentMiB);
    }

    private static RunRecord run(String workload, String allocator, String metricName, double metric,
            boolean lowerIsBetter, long residentMiB) {
        return RunRecord.measured(new WorkloadResult(workload, allocator, 1.0, 1_000_000, metricName, metric,
                lowerIsBetter, residentMiB << 20, 64L << 20, List.of(), Map.of()), 1.5);
    }
}
