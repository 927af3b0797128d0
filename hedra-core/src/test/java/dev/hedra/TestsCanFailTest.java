package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checks of this suite can fail: run against a {@link FaultyAllocator}, the model-based test,
 * the stress worker and the {@link CheckedAllocator} validation each report every planted bug.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestsCanFailTest {

    /** Runs {@code body} and requires it to fail (an assertion or an exception from the allocator). */
    private static void assertCaught(FaultyAllocator.Fault fault, ThreadKind.Body body) {
        try {
            body.run();
        } catch (AssertionError | IllegalArgumentException | IllegalStateException caught) {
            // A check of the suite, or the allocator's own (e.g. a double free the fault led to).
            return;
        } catch (Throwable other) {
            throw new AssertionError("the planted fault " + fault + " led to an unexpected failure", other);
        }
        fail("the planted fault " + fault + " went unnoticed");
    }

    @ParameterizedTest
    @EnumSource(FaultyAllocator.Fault.class)
    void theModelBasedTestCatchesEveryFault(FaultyAllocator.Fault fault) {
        try (NativeAllocator real = Hedra.builder().build()) {
            NativeAllocator faulty = FaultyAllocator.over(real, fault);
            assertCaught(fault, () -> new ModelBasedTest.Run(faulty, AllocatorSpec.DEFAULT, new SplitMix64(1), 5000).run());
        }
    }

    @ParameterizedTest
    @EnumSource(value = FaultyAllocator.Fault.class, names = {"HANDS_OUT_A_LIVE_BLOCK", "REALLOC_COPIES_HALF"})
    void theStressWorkerCatchesCorruption(FaultyAllocator.Fault fault) {
        try (NativeAllocator real = Hedra.builder().build()) {
            NativeAllocator faulty = FaultyAllocator.over(real, fault);
            assertCaught(fault, () -> StressTest.work(faulty, new StressTest.Exchange(), new SplitMix64(3), 50_000));
        }
    }

    @Test
    void theValidationCatchesALeak() {
        NativeAllocator hedra = CheckedAllocator.open();
        hedra.malloc(64);
        AssertionError leak = assertThrows(AssertionError.class, hedra::close);
        assertEquals(true, leak.getMessage().contains("leaked"), leak.getMessage());
        // The allocator was closed all the same.
        assertThrows(IllegalStateException.class, () -> CheckedAllocator.delegateOf(hedra).malloc(8));
    }

    @Test
    void theValidationCatchesABlockHandedOutTwice() {
        try (NativeAllocator real = Hedra.builder().build()) {
            NativeAllocator checked = CheckedAllocator.wrap(
                    FaultyAllocator.over(real, FaultyAllocator.Fault.HANDS_OUT_A_LIVE_BLOCK), false);
            assertThrows(AssertionError.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    checked.malloc(64);
                }
            });
        }
    }

    @Test
    void theValidationCatchesUnbalancedStatistics() {
        AllocatorStats unbalanced = new AllocatorStats() {
            @Override public long allocations() { return 10; }
            @Override public long frees() { return 4; }
            @Override public long bytesRequested() { return 100; }
            @Override public long bytesInUse() { return 64; }
            @Override public long peakBytesInUse() { return 64; }
            @Override public long bytesCommitted() { return 4096; }
            @Override public long bytesRetained() { return 0; }
            @Override public long bytesPurgedIdle() { return 0; }
            @Override public long peakBytesCommitted() { return 4096; }
            @Override public long bytesReserved() { return 1 << 20; }
            @Override public List<SizeClassStats> sizeClasses() {
                return List.of(new SizeClassStats(0, 8, 9, 4)); // one allocation short
            }
            @Override public List<HeapStats> heaps() {
                return List.of(new HeapStats("main", 10, 4, 100, 64, 64, 1));
            }
            @Override public String toJson() { return "{}"; }
        };
        assertThrows(AssertionError.class, () -> CheckedAllocator.assertBalanced(unbalanced));
    }
}
