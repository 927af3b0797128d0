package dev.hedra.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.AllocatorStats;
import dev.hedra.Hedra;
import dev.hedra.NativeAllocator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every back end on a tiny workload: the results match an on-heap oracle, and after each run
 * the Hedra allocator the example was given holds no live block (trees closed or freed, every
 * result freed by the collector).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KdTreeExampleTest {

    /** Two workers, a few trees: every path (warm-up, several trees per worker) in well under a second. */
    private static final Workload TINY = new Workload(2, 9, 3_000, 200, 7, 3);

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void matchesTheOnHeapOracleAndLeavesHedraEmpty(BackendKind kind) throws Exception {
        OnHeapKdTree.Totals expected = OnHeapKdTree.run(TINY);
        try (NativeAllocator hedra = Hedra.builder().name("example-test-" + kind.label()).build()) {
            RunResult run = KdTreeExample.runInThisJvm(List.of(kind), TINY, hedra).getFirst();

            assertEquals(kind.label(), run.backend());
            assertEquals(TINY.trees(), run.results(), "one result block per tree");
            assertTrue(expected.hits() > TINY.trees(), "the queries find points: " + expected.hits());
            assertEquals(expected.hits(), run.hits(), "hits");
            assertEquals(expected.checksum(), run.checksum(), "checksum");
            assertEmpty(hedra);
        }
    }

    @Test
    void everyBackEndInOneJvmAgreesAndHedraEndsEmpty() throws Exception {
        try (NativeAllocator hedra = Hedra.builder().name("example-test-all").build()) {
            List<RunResult> runs = KdTreeExample.runInThisJvm(List.of(BackendKind.values()), TINY, hedra);

            assertEquals(BackendKind.values().length, runs.size());
            assertTrue(ResultTable.checksumsAgree(runs), () -> "checksums differ: " + runs);
            assertEmpty(hedra);
        }
    }

    @Test
    void resultLineRoundTrips() {
        RunResult run = new RunResult("hedra-free", new Workload(3, 10, 100, 5, -1, 0), 123_456_789L, 98_765L,
                10, 4_321, 0x8000_0000_0000_0001L, 64L << 20, false);
        assertEquals(run, RunResult.parse(run.toLine()));
    }

    @Test
    void optionsNameTheBadValue() {
        assertEquals(List.of(BackendKind.HEDRA, BackendKind.MALLOC),
                Options.parse("--backend", "malloc,hedra").backends());
        assertEquals(List.of(BackendKind.values()), Options.parse().backends());
        assertEquals(25, Options.parse("--trees", "100").workload().warmupTrees());

        assertMessage("unknown back end 'jemalloc'", () -> Options.parse("--backend", "jemalloc"));
        assertMessage("--points needs a number, not 'many'", () -> Options.parse("--points", "many"));
        assertMessage("trees must be positive: 0", () -> Options.parse("--trees", "0"));
        assertMessage("--seed needs a value", () -> Options.parse("--seed"));
        assertMessage("unknown option '--fast'", () -> Options.parse("--fast"));
        assertMessage("--result-line needs exactly one --backend", () -> Options.parse("--result-line"));
    }

    private static void assertMessage(String start, Runnable parse) {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, parse::run);
        assertTrue(bad.getMessage().startsWith(start), () -> "message: " + bad.getMessage());
    }

    private static void assertEmpty(NativeAllocator hedra) {
        AllocatorStats stats = hedra.stats();
        assertEquals(0, stats.liveBlocks(), () -> "live blocks left in the example's allocator:\n" + stats);
    }
}
