package dev.hedra.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeededInputsTest {

    private static final int COUNT = MixedBatchBenchmark.BATCH;

    @Test
    void theSameSeedGivesTheSameInputs() {
        assertArrayEquals(SeededInputs.skewedSizes(42, COUNT), SeededInputs.skewedSizes(42, COUNT));
        assertArrayEquals(SeededInputs.shuffledOrder(42, COUNT), SeededInputs.shuffledOrder(42, COUNT));
        assertFalse(Arrays.equals(SeededInputs.skewedSizes(42, COUNT), SeededInputs.skewedSizes(43, COUNT)));
    }

    @Test
    void sizesSpanEightBytesToOneKibibyteSkewedSmall() {
        int[] sizes = SeededInputs.skewedSizes(SeededInputs.SEED, COUNT);
        assertTrue(IntStream.of(sizes).allMatch(size -> size >= 8 && size <= 1024));
        long atMost16 = IntStream.of(sizes).filter(size -> size <= 16).count();
        long over512 = IntStream.of(sizes).filter(size -> size > 512).count();
        assertTrue(atMost16 > COUNT * 0.4 && atMost16 < COUNT * 0.6, "8-16 B: " + atMost16);
        assertTrue(over512 > 0 && over512 < COUNT * 0.05, "513-1024 B: " + over512);
    }

    @Test
    void theFreeOrderIsAPermutation() {
        int[] order = SeededInputs.shuffledOrder(SeededInputs.SEED, COUNT);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertArrayEquals(IntStream.range(0, COUNT).toArray(), sorted);
        assertFalse(Arrays.equals(sorted, order));
        assertEquals(COUNT, order.length);
    }
}
