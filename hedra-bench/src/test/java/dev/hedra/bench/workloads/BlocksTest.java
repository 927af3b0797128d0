package dev.hedra.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.SuiteAllocators;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The stamp and the pattern catch a block that changed; the generator repeats itself. */
class BlocksTest {

    private final SuiteAllocator glibc = SuiteAllocators.byName("glibc");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 7, 8, 15, 16, 100, 4096, 4097, 8193, 100_000})
    void aStampedBlockVerifiesAndAChangedOneDoesNot(long size) {
        long block = glibc.malloc(size);
        try {
            Blocks.stamp(block, size);
            Blocks.verify(block, size);
            Blocks.writeByte(block + size - 1, (byte) ~Blocks.readByte(block + size - 1));
            assertThrows(IllegalStateException.class, () -> Blocks.verify(block, size));
        } finally {
            glibc.free(block, size);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 8, 24, 1000})
    void aPatternIsCheckedByteForByte(long size) {
        long block = glibc.malloc(size);
        try {
            Blocks.fillPattern(block, size, block);
            Blocks.checkPattern(block, size, block);
            long middle = block + size / 2;
            Blocks.writeByte(middle, (byte) ~Blocks.readByte(middle));
            assertThrows(IllegalStateException.class, () -> Blocks.checkPattern(block, size, block));
        } finally {
            glibc.free(block, size);
        }
    }

    @Test
    void eachThreadsGeneratorRepeatsAndDiffersFromTheOthers() {
        SplitMix64 first = SplitMix64.forThread(42, 0);
        SplitMix64 again = SplitMix64.forThread(42, 0);
        SplitMix64 other = SplitMix64.forThread(42, 1);
        for (int i = 0; i < 100; i++) {
            long value = first.nextLong();
            assertEquals(value, again.nextLong());
            assertNotEquals(value, other.nextLong());
        }
        SplitMix64 bounded = new SplitMix64(7);
        for (int i = 0; i < 10_000; i++) {
            int value = bounded.nextInt(10);
            assertEquals(value, Math.max(0, Math.min(9, value)));
        }
    }
}
