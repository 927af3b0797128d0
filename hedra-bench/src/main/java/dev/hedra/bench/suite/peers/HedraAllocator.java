package dev.hedra.bench.suite.peers;

import dev.hedra.Hedra;
import dev.hedra.NativeAllocator;
import dev.hedra.bench.suite.SuiteAllocator;

/**
 * Hedra's process-wide allocator ({@link Hedra#allocator()}), freeing with the size the block was
 * asked for (the sized free). A size of 0 means the caller does not know it: the block is then
 * freed by address alone, as {@code free(void *)} would ({@code larson} uses this to compare with
 * {@code larson-sized}).
 */
public final class HedraAllocator implements SuiteAllocator {

    // static final: the JIT sees one receiver and inlines through the interface.
    private static final NativeAllocator HEDRA = Hedra.allocator();

    @Override
    public String name() {
        return "hedra";
    }

    @Override
    public String notes() {
        return "Hedra.allocator(): malloc, malloc(size, alignment), calloc, realloc, sized free"
                + " (unsized when the workload passes size 0); internal checks "
                + (Boolean.getBoolean("hedra.checks") ? "on" : "off") + " (-Dhedra.checks)";
    }

    @Override
    public long malloc(long size) {
        return HEDRA.malloc(size);
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        return HEDRA.malloc(size, alignment);
    }

    @Override
    public long calloc(long size) {
        return HEDRA.calloc(size);
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        return HEDRA.realloc(address, newSize);
    }

    @Override
    public void free(long address, long size) {
        if (size > 0) {
            HEDRA.free(address, size);
        } else {
            HEDRA.free(address);
        }
    }
}
