package dev.hedra.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hedra.bench.suite.ResidentMemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.SuiteAllocators;
import dev.hedra.bench.suite.SuiteWorkload;
import dev.hedra.bench.suite.SuiteWorkloads;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every workload runs at a tiny scale, frees everything it allocated and reports sane figures. */
class WorkloadsTest {

    private static final double TINY = 0.005;

    static Stream<Arguments> workloadsOnHedraAndGlibc() {
        return SuiteWorkloads.ported().stream()
                .flatMap(workload -> Stream.of("hedra", "glibc").map(allocator -> Arguments.of(workload, allocator)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("workloadsOnHedraAndGlibc")
    void runsAndReportsSaneFigures(SuiteWorkload workload, String allocatorName) throws Exception {
        SuiteAllocator allocator = SuiteAllocators.byName(allocatorName, SuiteWorkloads.freesAcrossThreads(workload));
        ResidentMemoryMeter meter = ResidentMemoryMeter.start();
        WorkloadResult result = workload.run(allocator, meter, TINY);

        assertEquals(workload.name(), result.workload());
        assertEquals(allocatorName, result.allocator());
        assertTrue(result.seconds() > 0, "seconds " + result.seconds());
        assertTrue(result.operations() > 0, "operations " + result.operations());
        assertTrue(result.metric() > 0 && Double.isFinite(result.metric()), "metric " + result.metric());
        assertFalse(result.metricName().isBlank());
        assertTrue(result.lowerIsBetter());
        assertTrue(result.peakLiveBytes() > 0, "peak live " + result.peakLiveBytes());
        assertTrue(result.peakResidentBytes() >= 0, "peak resident " + result.peakResidentBytes());
        assertFalse(result.residentTimeline().isEmpty());
        assertTrue(result.residentTimeline().size() <= ResidentMemoryMeter.TIMELINE_POINTS);
        assertEquals(0, meter.liveBytes(), "live bytes left after the run: the workload leaked or miscounted");
        assertFalse(result.capped(), "a tiny run ends long before its time cap");
        if (workload.name().equals("latency")) {
            assertLatencySummaries(result);
        } else {
            assertTrue(result.latencyNanos().isEmpty());
        }
    }

    @Test
    void aRunCutShortByItsCapIsFlaggedAndAWholeOneIsNot() {
        var result = new WorkloadResult("w", "a", 1.0, 10, "ns per op", 5.0, true, 0, 1, List.of(),
                java.util.Map.of());
        TimeLimit spent = new TimeLimit(-1);
        assertTrue(spent.passed());
        assertTrue(spent.flag(result, "part of the work").capped());
        TimeLimit ample = TimeLimit.forScale(1.0);
        assertFalse(ample.passed());
        assertFalse(ample.flag(result, "all of the work").capped());
    }

    /**
     * A workload that says it frees every block on the allocating thread runs on confined arenas,
     * which refuse to be closed by any other thread.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sameThreadWorkloads")
    void sameThreadWorkloadsRunOnConfinedArenas(SuiteWorkload workload) throws Exception {
        WorkloadResult result = workload.run(SuiteAllocators.byName("arena", false), delta -> {}, TINY);
        assertTrue(result.operations() > 0);
    }

    static List<SuiteWorkload> sameThreadWorkloads() {
        return SuiteWorkloads.all().stream().filter(workload -> !SuiteWorkloads.freesAcrossThreads(workload)).toList();
    }

    private static void assertLatencySummaries(WorkloadResult result) {
        assertEquals(List.of(LatencyProfile.SERIES), List.copyOf(result.latencyNanos().keySet()));
        result.latencyNanos().forEach((series, figures) -> {
            assertEquals(6, figures.length, series);
            double min = figures[0];
            double p50 = figures[1];
            double mean = figures[2];
            double p99 = figures[3];
            double p999 = figures[4];
            double max = figures[5];
            assertTrue(min >= 0 && min <= p50 && p50 <= p99 && p99 <= p999 && p999 <= max, series);
            assertTrue(min <= mean && mean <= max, series);
        });
    }

    @Test
    void namesAreDistinctAndFoundAndEveryWorkloadIsDescribed() {
        assertEquals(SuiteWorkloads.names().size(), Set.copyOf(SuiteWorkloads.names()).size());
        for (SuiteWorkload workload : SuiteWorkloads.all()) {
            assertSame(workload, SuiteWorkloads.byName(workload.name()));
            assertTrue(workload.description().length() > 40, workload.description());
        }
        assertThrows(IllegalArgumentException.class, () -> SuiteWorkloads.byName("no-such-workload"));
    }
}
