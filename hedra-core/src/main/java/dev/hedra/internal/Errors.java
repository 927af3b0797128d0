package dev.hedra.internal;

/** Every exception Hedra raises is built here, so messages name the bad value the same way. */
final class Errors {

    private Errors() {}

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    static IllegalArgumentException badSize(long size) {
        return new IllegalArgumentException(
                size <= 0 ? "size must be positive: " + size : "size too large to map: " + size);
    }

    static IllegalArgumentException badAlignment(long alignment) {
        return new IllegalArgumentException("alignment must be a power of two: " + alignment);
    }

    static IllegalArgumentException overflow(long size, long alignment) {
        return new IllegalArgumentException(
                "size " + size + " with alignment " + alignment + " is too large to map");
    }

    /**
     * An address in none of the allocator's blocks. A huge block freed a while ago leaves no trace
     * once its map is unmapped, so the message cannot tell "never returned" from "freed already".
     */
    static IllegalArgumentException notABlock(String allocator, long address) {
        return new IllegalArgumentException("address " + hex(address) + " is not a block of allocator '"
                + allocator + "': it was not returned by it, or was freed and its memory given back");
    }

    static IllegalArgumentException interior(long address, long blockStart) {
        return new IllegalArgumentException("address " + hex(address)
                + " is inside the block at " + hex(blockStart) + ", not its start");
    }

    static IllegalStateException doubleFree(String owner, long address) {
        return new IllegalStateException("double free in " + owner + ": the block at " + hex(address)
                + " is already free");
    }

    static IllegalStateException notLive(String allocator, long address) {
        return new IllegalStateException("the block at " + hex(address) + " of allocator '" + allocator
                + "' is free: it was already freed");
    }

    static IllegalArgumentException poolBlock(long address) {
        return new IllegalArgumentException("address " + hex(address)
                + " is a block of a fixed-size pool: free it with that pool");
    }

    static IllegalArgumentException notInPool(String pool, long address) {
        return new IllegalArgumentException("address " + hex(address) + " is not a block of pool " + pool);
    }

    static IllegalArgumentException sizeMismatch(long address, long size, long usable) {
        return new IllegalArgumentException("sized free of " + hex(address) + " with size " + size
                + ", but the block there (" + usable + " usable bytes) was not allocated with that size");
    }

    static IllegalArgumentException foreignSegment(String allocator, java.lang.foreign.MemorySegment segment) {
        return new IllegalArgumentException("segment " + segment + " at " + hex(segment.address())
                + " was not allocated by allocator '" + allocator + "'");
    }

    static IllegalStateException closed(String allocator) {
        return new IllegalStateException("allocator '" + allocator + "' is closed");
    }

    static OutOfMemoryError limit(String allocator, long limit, long committed, long request, long needed) {
        return new OutOfMemoryError("allocator '" + allocator + "': memory limit of " + limit
                + " bytes reached (" + committed + " bytes committed); a request of " + request
                + " bytes needs " + needed + " more");
    }

    static OutOfMemoryError system(String allocator, long request, String why) {
        return new OutOfMemoryError("allocator '" + allocator + "': the system refused " + request
                + " bytes: " + why);
    }
}
