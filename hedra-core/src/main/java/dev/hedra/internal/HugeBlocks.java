package dev.hedra.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Huge blocks: above {@link MediumSpans#MAX_SIZE}, each mapped directly from the system and
 * unmapped when freed. A map from address to mapped length finds them; a huge block costs
 * microseconds to map, so the map's objects do not matter.
 */
final class HugeBlocks {

    private final AddressSpace space;
    private final String allocatorName;
    private final ConcurrentHashMap<Long, Block> blocks = new ConcurrentHashMap<>();

    /** A live huge block: its mapped length and the heap whose statistics count it. */
    private record Block(long length, ThreadHeap heap) {}

    HugeBlocks(AddressSpace space, String allocatorName) {
        this.space = space;
        this.allocatorName = allocatorName;
    }

    static long mappedLength(long size) {
        return (size + Os.PAGE_SIZE - 1) & -Os.PAGE_SIZE;
    }

    long allocate(ThreadHeap heap, long size, long alignment) {
        long length = mappedLength(size);
        if (!space.commitHuge(length)) {
            throw space.limitReached(length, size);
        }
        long address = Os.reserve(length, Math.max(alignment, Os.PAGE_SIZE));
        if (address == 0) {
            space.uncommitHuge(length);
            throw Errors.system(allocatorName, size, Os.lastError());
        }
        blocks.put(address, new Block(length, heap));
        heap.hugeBytesInUse.add(length);
        return address;
    }

    /** Maps {@code length} bytes counted against the limit but not listed as a block (arenas). */
    long mapUnlisted(long length, long request, long alignment) {
        if (!space.commitHuge(length)) {
            throw space.limitReached(length, request);
        }
        long address = Os.reserve(length, Math.max(alignment, Os.PAGE_SIZE));
        if (address == 0) {
            space.uncommitHuge(length);
            throw Errors.system(allocatorName, request, Os.lastError());
        }
        return address;
    }

    void unmapUnlisted(long address, long length) {
        if (!space.isClosed()) {
            Os.unmap(address, length);
            space.uncommitHuge(length);
        }
    }

    /** Whether {@code address} is a live huge block. */
    boolean contains(long address) {
        return blocks.containsKey(address);
    }

    /**
     * Frees the huge block at {@code address}; {@code size} is from a sized free, or -1.
     *
     * @return false if no huge block starts there
     */
    boolean free(long address, long size) {
        Block block = blocks.get(address);
        if (block == null) {
            return false;
        }
        if (size >= 0 && mappedLength(size) != block.length) {
            throw Errors.sizeMismatch(address, size, block.length);
        }
        if (blocks.remove(address, block)) {
            Os.unmap(address, block.length);
            space.uncommitHuge(block.length);
            block.heap.hugeBytesInUse.add(-block.length);
            block.heap.hugeFrees.increment();
            return true;
        }
        return false;
    }

    /** Mapped length of the huge block at {@code address}, or -1. */
    long usableSize(long address) {
        Block block = blocks.get(address);
        return block == null ? -1 : block.length;
    }

    /** The huge block that contains {@code address}, or -1: for error messages only. */
    long blockContaining(long address) {
        for (var entry : blocks.entrySet()) {
            if (address - entry.getKey() >= 0 && address - entry.getKey() < entry.getValue().length) {
                return entry.getKey();
            }
        }
        return -1;
    }

    /** Frees every huge block {@code heap} allocated; returns how many. */
    int freeAllOf(ThreadHeap heap) {
        int freed = 0;
        for (var entry : blocks.entrySet()) {
            Block block = entry.getValue();
            if (block.heap == heap && blocks.remove(entry.getKey(), block)) {
                Os.unmap(entry.getKey(), block.length);
                space.uncommitHuge(block.length);
                heap.hugeBytesInUse.add(-block.length);
                heap.hugeFrees.increment();
                freed++;
            }
        }
        return freed;
    }

    void close() {
        for (var entry : blocks.entrySet()) {
            Os.unmap(entry.getKey(), entry.getValue().length);
        }
        blocks.clear();
    }
}
