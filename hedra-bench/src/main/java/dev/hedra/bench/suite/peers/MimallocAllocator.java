package dev.hedra.bench.suite.peers;

import dev.hedra.bench.PeerLibraries;
import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * mimalloc's own entry points ({@code mi_*}) in {@code libmimalloc.so.2}, which can be dlopen'ed.
 */
public final class MimallocAllocator implements SuiteAllocator {

    // static final, so that the JIT treats the handles as constants and inlines the downcalls.
    private static final SymbolLookup LIBRARY = PeerLibraries.mimalloc();
    private static final MethodHandle MALLOC = NativeCalls.oneArgument(LIBRARY, "mi_malloc");
    private static final MethodHandle FREE = NativeCalls.free(LIBRARY, "mi_free");
    private static final MethodHandle CALLOC = NativeCalls.twoArguments(LIBRARY, "mi_calloc");
    private static final MethodHandle REALLOC = NativeCalls.twoArguments(LIBRARY, "mi_realloc");
    private static final MethodHandle ALIGNED_ALLOC = NativeCalls.twoArguments(LIBRARY, "mi_malloc_aligned");

    @Override
    public String name() {
        return "mimalloc";
    }

    @Override
    public String notes() {
        return "mi_malloc, mi_free, mi_calloc, mi_realloc, mi_malloc_aligned from libmimalloc.so.2 through FFM critical downcalls; free ignores the size";
    }

    @Override
    public long malloc(long size) {
        try {
            return NativeCalls.checked((long) MALLOC.invokeExact(size), "mimalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        try {
            return NativeCalls.checked((long) ALIGNED_ALLOC.invokeExact(size, alignment), "mimalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long calloc(long size) {
        try {
            return NativeCalls.checked((long) CALLOC.invokeExact(1L, size), "mimalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        try {
            return NativeCalls.checked((long) REALLOC.invokeExact(address, newSize), "mimalloc", newSize);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public void free(long address, long size) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }
}
