package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FixedSizePool#pageSizeFor}: the page size a pool uses for each block size. */
class FixedSizePoolPageTest {

    private static final int KiB = 1024;
    private static final int MiB = 1024 * KiB;

    @ParameterizedTest(name = "{0}-byte blocks: {1}-byte pages")
    @CsvSource({
        "8, 65536",         // a unit is the least: 8,192 blocks
        "64, 65536",        // 1,024 blocks
        "104, 131072",      // 1,260 blocks
        "256, 262144",      // 1,024 blocks
        "1024, 1048576",    // 1,024 blocks
        "4096, 1048576",    // 256: a page stays within the 1 MiB of empty pages a pool keeps
        "16384, 1048576",   // 64 blocks, as a heap's page
        "65536, 4194304",   // 64 blocks
        "1048576, 4194304", // a medium area is the most: 4 blocks
    })
    void pagesHoldAThousandBlocksWhileSmallEnoughToKeep(long blockSize, int pageSize) {
        assertEquals(pageSize, FixedSizePool.pageSizeFor(blockSize));
    }

    @Test
    void everyBlockSizeGetsAPowerOfTwoPageOfAtLeast64BlocksOrAMediumArea() {
        for (long blockSize = 8; blockSize <= FixedSizePool.MAX_BLOCK; blockSize = nextSize(blockSize)) {
            int pageSize = FixedSizePool.pageSizeFor(blockSize);
            long size = blockSize;
            assertEquals(1, Integer.bitCount(pageSize), () -> size + "-byte blocks: " + pageSize);
            assertTrue(pageSize >= AddressSpace.UNIT && pageSize <= 4 * MiB, () -> size + ": " + pageSize);
            assertTrue(pageSize / blockSize >= 64 || pageSize == 4 * MiB, () -> size + ": " + pageSize);
        }
    }

    /** Every multiple of 8 below 4 KiB, then every multiple of 4 KiB. */
    private static long nextSize(long blockSize) {
        return blockSize < 4 * KiB ? blockSize + 8 : blockSize + 4 * KiB;
    }
}
