package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of live blocks with cookies, of every kind (small, medium, huge; malloc, aligned malloc,
 * calloc, realloc), made before a bad call so that the test can show the allocator is exactly as
 * it was afterwards: every block intact and freeable, statistics unchanged.
 */
final class LiveSet {

    record Block(long address, long size) {}

    static final long[] SIZES = {
        1, 8, 24, 48, 64, 100, 128, 136, 1000, 4096, 32768, 40000, 1 << 20, 3 << 20
    };

    private final NativeAllocator allocator;
    private final List<Block> blocks = new ArrayList<>();

    private LiveSet(NativeAllocator allocator) {
        this.allocator = allocator;
    }

    /** Allocates a few blocks of every size, in several ways, and writes their cookies. */
    static LiveSet create(NativeAllocator allocator) {
        LiveSet set = new LiveSet(allocator);
        for (long size : SIZES) {
            set.add(allocator.malloc(size), size);
            set.add(allocator.malloc(size, 64), size);
            set.add(allocator.calloc(size), size);
            long moved = allocator.realloc(allocator.malloc(size), size + 16);
            set.add(moved, size + 16);
        }
        return set;
    }

    private void add(long address, long size) {
        Blocks.writeCookie(address, size);
        blocks.add(new Block(address, size));
    }

    NativeAllocator allocator() {
        return allocator;
    }

    List<Block> blocks() {
        return blocks;
    }

    /** A live block of at least {@code size} bytes from the set. */
    Block blockOfSize(long size) {
        return blocks.stream().filter(b -> b.size() == size).findFirst().orElseThrow();
    }

    /** True if [address, address + length) touches no block of the set. */
    boolean disjointFrom(long address, long length) {
        for (Block block : blocks) {
            long usable = allocator.usableSize(block.address());
            if (address < block.address() + usable && block.address() < address + length) {
                return false;
            }
        }
        return true;
    }

    /** Every cookie of the set intact. */
    void assertIntact(String after) {
        for (Block block : blocks) {
            try {
                Blocks.checkCookie(block.address(), block.size());
            } catch (AssertionError e) {
                throw new AssertionError("after " + after + ": " + e.getMessage(), e);
            }
        }
    }

    /** Every cookie intact and the counters as they were in {@code before}. */
    void assertUnchangedSince(AllocatorStats before, String after) {
        assertIntact(after);
        AllocatorStats now = allocator.stats();
        assertEquals(before.allocations(), now.allocations(), () -> "allocations changed after " + after + ":\n" + now);
        assertEquals(before.frees(), now.frees(), () -> "frees changed after " + after + ":\n" + now);
        assertEquals(before.liveBlocks(), now.liveBlocks(), () -> "live blocks changed after " + after + ":\n" + now);
        assertEquals(before.bytesInUse(), now.bytesInUse(), () -> "bytes in use changed after " + after + ":\n" + now);
        assertEquals(before.bytesRequested(), now.bytesRequested(),
                () -> "bytes requested changed after " + after + ":\n" + now);
    }

    /**
     * Shows the allocator still works normally: new blocks of every size do not overlap the set,
     * and are freed again.
     */
    void assertStillAllocates() {
        List<Block> fresh = new ArrayList<>();
        for (long size : SIZES) {
            for (int i = 0; i < 4; i++) {
                long address = allocator.malloc(size);
                long usable = allocator.usableSize(address);
                if (!disjointFrom(address, usable)) {
                    throw new AssertionError("malloc(" + size + ") returned " + Blocks.hex(address)
                            + ", which overlaps a live block");
                }
                for (Block other : fresh) {
                    if (address < other.address() + other.size() && other.address() < address + size) {
                        throw new AssertionError("malloc(" + size + ") returned " + Blocks.hex(address)
                                + " twice or overlapping " + Blocks.hex(other.address()));
                    }
                }
                Blocks.writeCookie(address, size);
                fresh.add(new Block(address, size));
            }
        }
        for (Block block : blocks) {
            Blocks.checkCookie(block.address(), block.size());
        }
        for (Block block : fresh) {
            Blocks.checkCookie(block.address(), block.size());
            allocator.free(block.address(), block.size());
        }
    }

    /** Checks and frees every block, alternating sized and unsized frees. */
    void freeAll() {
        boolean sized = false;
        List<Block> toFree = new ArrayList<>(blocks);
        blocks.clear();
        for (Block block : toFree) {
            Blocks.checkCookie(block.address(), block.size());
            if (sized) {
                allocator.free(block.address(), block.size());
            } else {
                allocator.free(block.address());
            }
            sized = !sized;
        }
    }
}
