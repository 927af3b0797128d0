package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reading and writing native blocks in tests: cookies (a value derived from address and size,
 * checked before every free, as in mimalloc's {@code test-stress}), seeded byte patterns that
 * reveal shifted or truncated copies, and zero checks.
 */
final class Blocks {

    private static final ValueLayout.OfLong WORD =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Blocks up to this size get a cookie in every word; larger ones in the first and last. */
    static final long FULL_COOKIE_LIMIT = 256;

    private Blocks() {}

    static MemorySegment segment(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    // ---- cookies

    static long cookie(long address, long size) {
        return SplitMix64.mix(address * 0x9E3779B97F4A7C15L ^ size ^ 0x5DEECE66DL);
    }

    /**
     * Writes the cookie of (address, size) into the block: the block's pattern seeded with the
     * cookie, in every byte if the block is small, else in its first and last 8 bytes.
     */
    static void writeCookie(long address, long size) {
        long cookie = cookie(address, size);
        if (size <= FULL_COOKIE_LIMIT) {
            fill(address, size, cookie);
            return;
        }
        MemorySegment block = segment(address, size);
        for (long i = 0; i < 8; i++) {
            block.set(ValueLayout.JAVA_BYTE, i, patternByte(cookie, i));
            block.set(ValueLayout.JAVA_BYTE, size - 8 + i, patternByte(cookie, size - 8 + i));
        }
    }

    /**
     * Allocates {@code count} blocks of {@code size} on a new thread, writes every byte (so their
     * pages become resident), frees them there, and waits for the thread to end: a burst whose
     * memory is left in an ended thread's heap.
     */
    static void burstOnEndedThread(NativeAllocator hedra, int count, long size) throws InterruptedException {
        Thread worker = new Thread(() -> {
            long[] blocks = new long[count];
            for (int i = 0; i < count; i++) {
                blocks[i] = hedra.malloc(size);
                segment(blocks[i], size).fill((byte) i);
            }
            for (int i = 0; i < count; i++) {
                hedra.free(blocks[i], size);
            }
        });
        worker.start();
        worker.join();
    }

    /**
     * Allocates a block of {@code size} from {@code hedra}, writes and checks its cookie, and frees
     * it: the allocator still serves, after something that gave its memory back.
     */
    static void roundTrip(NativeAllocator hedra, long size) {
        long block = hedra.malloc(size);
        writeCookie(block, size);
        checkCookie(block, size);
        hedra.free(block);
    }

    /** Checks the cookie written by {@link #writeCookie}; fails naming the block. */
    static void checkCookie(long address, long size) {
        long cookie = cookie(address, size);
        long mismatch = -1;
        if (size <= FULL_COOKIE_LIMIT) {
            mismatch = firstMismatch(address, size, cookie);
        } else {
            MemorySegment block = segment(address, size);
            for (long i = 0; i < 8 && mismatch < 0; i++) {
                if (block.get(ValueLayout.JAVA_BYTE, i) != patternByte(cookie, i)) {
                    mismatch = i;
                } else if (block.get(ValueLayout.JAVA_BYTE, size - 8 + i) != patternByte(cookie, size - 8 + i)) {
                    mismatch = size - 8 + i;
                }
            }
        }
        if (mismatch >= 0) {
            fail("cookie of block " + hex(address) + " (" + size + " bytes) overwritten at offset " + mismatch);
        }
    }

    static byte patternByte(long seed, long offset) {
        return (byte) (SplitMix64.mix(seed + (offset >>> 3)) >>> (8 * (offset & 7)));
    }

    // ---- patterns: byte i of a block filled with seed s is byte (i % 8) of mix(s + i / 8)

    static void fill(long address, long size, long seed) {
        MemorySegment block = segment(address, size);
        long offset = 0;
        for (; offset + 8 <= size; offset += 8) {
            block.set(WORD, offset, SplitMix64.mix(seed + (offset >>> 3)));
        }
        if (offset < size) {
            long word = SplitMix64.mix(seed + (offset >>> 3));
            for (long i = offset; i < size; i++) {
                block.set(ValueLayout.JAVA_BYTE, i, (byte) (word >>> (8 * (i - offset))));
            }
        }
    }

    /** The first offset below {@code size} whose byte differs from the pattern, or -1. */
    static long firstMismatch(long address, long size, long seed) {
        MemorySegment block = segment(address, size);
        long offset = 0;
        for (; offset + 8 <= size; offset += 8) {
            long expected = SplitMix64.mix(seed + (offset >>> 3));
            long actual = block.get(WORD, offset);
            if (actual != expected) {
                return offset + Long.numberOfTrailingZeros(actual ^ expected) / 8;
            }
        }
        if (offset < size) {
            long word = SplitMix64.mix(seed + (offset >>> 3));
            for (long i = offset; i < size; i++) {
                if (block.get(ValueLayout.JAVA_BYTE, i) != (byte) (word >>> (8 * (i - offset)))) {
                    return i;
                }
            }
        }
        return -1;
    }

    static void assertPattern(long address, long size, long seed, String what) {
        long mismatch = firstMismatch(address, size, seed);
        if (mismatch >= 0) {
            fail(what + ": block " + hex(address) + " differs from its pattern at offset " + mismatch
                    + " of " + size);
        }
    }

    /** The first non-zero byte below {@code size}, or -1. */
    static long firstNonZero(long address, long size) {
        MemorySegment block = segment(address, size);
        long offset = 0;
        for (; offset + 8 <= size; offset += 8) {
            long word = block.get(WORD, offset);
            if (word != 0) {
                return offset + Long.numberOfTrailingZeros(word) / 8;
            }
        }
        for (; offset < size; offset++) {
            if (block.get(ValueLayout.JAVA_BYTE, offset) != 0) {
                return offset;
            }
        }
        return -1;
    }

    static void assertZero(long address, long size, String what) {
        assertEquals(-1, firstNonZero(address, size),
                () -> what + ": block " + hex(address) + " of " + size + " bytes is not zeroed");
    }

    static void assertAligned(long address, long alignment, String what) {
        if (Long.remainderUnsigned(address, alignment) != 0) {
            fail(what + ": address " + hex(address) + " is not " + alignment + "-aligned");
        }
    }
}
