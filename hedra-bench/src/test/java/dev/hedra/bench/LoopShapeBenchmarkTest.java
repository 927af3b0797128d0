package dev.hedra.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.hedra.Hedra;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The loop-shape benchmark: both fills give back every block of Hedra they take, and run on a handle-based peer. */
class LoopShapeBenchmarkTest {

    @ParameterizedTest
    @ValueSource(strings = {"hedra", "arena"})
    void bothFillsFreeWhatTheyAllocate(String allocator) {
        LoopShapeBenchmark benchmark = new LoopShapeBenchmark();
        benchmark.allocator = allocator;
        benchmark.setUp();
        long liveBefore = Hedra.allocator().stats().liveBlocks();
        for (int round = 0; round < 3; round++) {
            assertNotEquals(0, benchmark.straightFill());
            assertNotEquals(0, benchmark.loopFill());
        }
        assertEquals(liveBefore, Hedra.allocator().stats().liveBlocks());
    }
}
