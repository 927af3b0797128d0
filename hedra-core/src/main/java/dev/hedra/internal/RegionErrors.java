package dev.hedra.internal;

import java.lang.foreign.MemorySegment;

/**
 * The exceptions of best-fit regions, built in one place like {@link Errors}'. A position is
 * named as {@code offset 48 (0x7f3a2c000030)}: the offset in the region in decimal and, for a
 * native region, the address in hex; {@link BestFitSpans#where} formats it.
 */
final class RegionErrors {

    private RegionErrors() {}

    static IllegalArgumentException badGranule(long granule) {
        return new IllegalArgumentException("granule must be a power of two of at least 8: " + granule);
    }

    static IllegalArgumentException tooSmall(MemorySegment region, long granule) {
        return new IllegalArgumentException("region " + region + " of " + region.byteSize()
                + " bytes holds no aligned granule of " + granule + " bytes");
    }

    static IllegalArgumentException negativeSize(long size) {
        return new IllegalArgumentException("size must not be negative: " + size);
    }

    static IllegalArgumentException badAlignment(long alignment) {
        return new IllegalArgumentException("alignment must be a power of two: " + alignment);
    }

    static IllegalStateException notAlive(MemorySegment region) {
        return new IllegalStateException("region " + region + " is no longer alive: its arena is closed");
    }

    static OutOfMemoryError exhausted(long size, long alignment, long largestFree, long freeBytes, long capacity) {
        return new OutOfMemoryError("best-fit region: no free span holds a request of " + size
                + " bytes aligned to " + alignment + "; the largest free block is " + largestFree
                + " bytes (" + freeBytes + " of " + capacity + " bytes free)");
    }

    static IllegalArgumentException outside(String where, long firstOffset, long endOffset) {
        return new IllegalArgumentException(where + " is outside the region: its blocks lie at offsets "
                + firstOffset + " to " + (endOffset - 1));
    }

    static IllegalArgumentException interior(String where, String blockStart) {
        return new IllegalArgumentException(where + " is inside the block at " + blockStart + ", not its start");
    }

    static IllegalStateException doubleFree(String where) {
        return new IllegalStateException("double free: the block at " + where + " is already free");
    }

    static IllegalStateException inFreeSpan(String where, String spanStart, long spanBytes) {
        return new IllegalStateException(where + " is not a live block: it lies in the free span of "
                + spanBytes + " bytes at " + spanStart + " (freed already, or never allocated)");
    }

    static IllegalArgumentException foreignSegment(MemorySegment segment, MemorySegment region) {
        String address = segment.isNative() ? " at " + Errors.hex(segment.address()) : "";
        return new IllegalArgumentException("segment " + segment + address
                + " was not allocated from region " + region);
    }

    static IllegalArgumentException tooLong(String where, long segmentBytes, long usable) {
        return new IllegalArgumentException("segment of " + segmentBytes + " bytes at " + where
                + " is longer than the block there (" + usable + " usable bytes)");
    }
}
