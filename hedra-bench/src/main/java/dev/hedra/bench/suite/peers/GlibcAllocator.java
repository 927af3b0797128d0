package dev.hedra.bench.suite.peers;

import dev.hedra.bench.PeerLibraries;
import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * glibc's allocator, taken from {@code libc.so.6} itself so that a preloaded allocator cannot stand in for it.
 */
public final class GlibcAllocator implements SuiteAllocator {

    // static final, so that the JIT treats the handles as constants and inlines the downcalls.
    private static final SymbolLookup LIBRARY = PeerLibraries.glibc();
    private static final MethodHandle MALLOC = NativeCalls.oneArgument(LIBRARY, "malloc");
    private static final MethodHandle FREE = NativeCalls.free(LIBRARY, "free");
    private static final MethodHandle CALLOC = NativeCalls.twoArguments(LIBRARY, "calloc");
    private static final MethodHandle REALLOC = NativeCalls.twoArguments(LIBRARY, "realloc");
    private static final MethodHandle ALIGNED_ALLOC = NativeCalls.twoArguments(LIBRARY, "aligned_alloc");

    @Override
    public String name() {
        return "glibc";
    }

    @Override
    public String notes() {
        return "malloc, free, calloc, realloc, aligned_alloc from libc.so.6 through FFM critical downcalls";
    }

    @Override
    public long malloc(long size) {
        try {
            return NativeCalls.checked((long) MALLOC.invokeExact(size), "glibc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        try {
            return NativeCalls.checked((long) ALIGNED_ALLOC.invokeExact(alignment, size), "glibc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long calloc(long size) {
        try {
            return NativeCalls.checked((long) CALLOC.invokeExact(1L, size), "glibc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        try {
            return NativeCalls.checked((long) REALLOC.invokeExact(address, newSize), "glibc", newSize);
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
