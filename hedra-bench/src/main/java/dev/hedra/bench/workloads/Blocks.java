package dev.hedra.bench.workloads;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Raw access to the workloads' blocks, the same for every allocator, and the stamp every workload
 * writes into a block when it allocates it and checks before it frees it.
 *
 * <p>A stamp is derived from the block's address and size: a long at the start (a byte for blocks
 * under 16 bytes), one byte in each further 4 KiB page, and a byte at the end. It touches every
 * page, so a large block is resident, and it catches an allocator that hands out overlapping
 * blocks or loses what was written, at a cost of a few stores and loads per small block.
 */
final class Blocks {

    static final long PAGE = 4096;

    // One segment spanning the address space: an access costs a load or store, with no segment per block.
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle OPAQUE_BYTE = ValueLayout.JAVA_BYTE.varHandle();

    private Blocks() {}

    /** Writes the stamp of a block of {@code size} bytes at {@code address}. */
    static void stamp(long address, long size) {
        long signature = signature(address, size);
        for (long page = PAGE; page < size - 1; page += PAGE) {
            writeByte(address + page, (byte) (signature >>> 16 ^ page >>> 12));
        }
        if (size >= 16) {
            writeLong(address, signature);
        } else {
            writeByte(address, (byte) signature);
        }
        writeByte(address + size - 1, (byte) (signature >>> 8));
    }

    /**
     * Checks the stamp written by {@link #stamp}.
     *
     * @throws IllegalStateException naming the block and the place that changed
     */
    static void verify(long address, long size) {
        long signature = signature(address, size);
        if (readByte(address + size - 1) != (byte) (signature >>> 8)) {
            throw overwritten(address, size, "last byte");
        }
        if (size >= 16 ? readLong(address) != signature : size > 1 && readByte(address) != (byte) signature) {
            throw overwritten(address, size, "first bytes");
        }
        for (long page = PAGE; page < size - 1; page += PAGE) {
            if (readByte(address + page) != (byte) (signature >>> 16 ^ page >>> 12)) {
                throw overwritten(address, size, "page at offset " + page);
            }
        }
    }

    /** Fills {@code size} bytes with the pattern of {@link #checkPattern}, eight bytes at a time. */
    static void fillPattern(long address, long size, long pattern) {
        long offset = 0;
        for (; offset + Long.BYTES <= size; offset += Long.BYTES) {
            writeLong(address + offset, pattern + offset);
        }
        for (; offset < size; offset++) {
            writeByte(address + offset, (byte) (pattern + offset));
        }
    }

    /** Reads every byte that {@link #fillPattern} wrote and checks it. */
    static void checkPattern(long address, long size, long pattern) {
        long offset = 0;
        for (; offset + Long.BYTES <= size; offset += Long.BYTES) {
            if (readLong(address + offset) != pattern + offset) {
                throw overwritten(address, size, "bytes at offset " + offset);
            }
        }
        for (; offset < size; offset++) {
            if (readByte(address + offset) != (byte) (pattern + offset)) {
                throw overwritten(address, size, "byte at offset " + offset);
            }
        }
    }

    static void writeLong(long address, long value) {
        EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, address, value);
    }

    static long readLong(long address) {
        return EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, address);
    }

    static void writeByte(long address, byte value) {
        EVERYTHING.set(ValueLayout.JAVA_BYTE, address, value);
    }

    static byte readByte(long address) {
        return EVERYTHING.get(ValueLayout.JAVA_BYTE, address);
    }

    /** A store the JIT must perform every time, for loops that write one place over and over. */
    static void writeByteOpaque(long address, byte value) {
        OPAQUE_BYTE.setOpaque(EVERYTHING, address, value);
    }

    /** A load the JIT must perform every time. */
    static byte readByteOpaque(long address) {
        return (byte) OPAQUE_BYTE.getOpaque(EVERYTHING, address);
    }

    private static long signature(long address, long size) {
        return SplitMix64.mix(address ^ size * 0x9E3779B97F4A7C15L);
    }

    private static IllegalStateException overwritten(long address, long size, String where) {
        return new IllegalStateException("the block of " + size + " bytes at 0x" + Long.toHexString(address)
                + " lost what was written (" + where + "): the allocator handed out overlapping memory"
                + " or reused a live block");
    }
}
