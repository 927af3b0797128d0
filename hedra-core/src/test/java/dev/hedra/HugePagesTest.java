package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code hugePages}: huge blocks are mapped 2 MiB aligned and, where Linux has transparent huge
 * pages in {@code madvise} mode, faulted in as huge pages; with the option off they are not.
 * What the kernel did is read from {@code /proc/self/smaps}.
 */
class HugePagesTest {

    private static final long MiB = 1L << 20;
    private static final Path THP_MODE = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    @Test
    void hugeBlocksAreAlignedToAHugePage() {
        try (NativeAllocator hedra = Hedra.builder().build()) {
            for (long size : new long[] {2 * MiB, 3 * MiB + 12345, 17 * MiB}) {
                long address = hedra.malloc(size);
                assertEquals(0, address % (2 * MiB), () -> "a " + size + "-byte block at " + Long.toHexString(address));
                hedra.free(address, size);
            }
        }
    }

    @Test
    void filledHugeBlocksGetHugePagesInMadviseMode() throws IOException {
        assumeTrue(thpMode().equals("madvise"), "transparent huge pages are not in madvise mode here");
        long size = 16 * MiB;
        try (NativeAllocator hedra = Hedra.builder().build()) {
            long address = hedra.malloc(size);
            MemorySegment.ofAddress(address).reinterpret(size).fill((byte) 1);
            long huge = anonHugeKiB(address);
            assertTrue(huge >= 2048, "the filled 16 MiB block has " + huge + " KiB in huge pages");
            hedra.free(address, size);
        }
        try (NativeAllocator hedra = Hedra.builder().hugePages(false).build()) {
            long address = hedra.malloc(size);
            MemorySegment.ofAddress(address).reinterpret(size).fill((byte) 1);
            long huge = anonHugeKiB(address);
            assertEquals(0, huge, "with hugePages(false) the block keeps 4 KiB pages");
            hedra.free(address, size);
        }
    }

    /** The bracketed word of the THP setting, or "" where the kernel has none. */
    private static String thpMode() throws IOException {
        if (!Files.isReadable(THP_MODE)) {
            return "";
        }
        String line = Files.readString(THP_MODE);
        int open = line.indexOf('[');
        int close = line.indexOf(']');
        return open >= 0 && close > open ? line.substring(open + 1, close) : "";
    }

    /** AnonHugePages of the mapping that holds {@code address}, from /proc/self/smaps, in KiB. */
    private static long anonHugeKiB(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (String line : lines) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no mapping holds " + Long.toHexString(address));
    }
}
