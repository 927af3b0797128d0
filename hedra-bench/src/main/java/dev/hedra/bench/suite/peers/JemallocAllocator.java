package dev.hedra.bench.suite.peers;

import dev.hedra.bench.PeerLibraries;
import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * jemalloc's allocator, from the library this JVM preloads ({@link PeerLibraries#preloadedJemalloc()}): FFM's default lookup would still find glibc's {@code malloc}. Creating one in a JVM without the preload fails with a message that says how to start it.
 */
public final class JemallocAllocator implements SuiteAllocator {

    // static final, so that the JIT treats the handles as constants and inlines the downcalls.
    private static final SymbolLookup LIBRARY = PeerLibraries.preloadedJemalloc();
    private static final MethodHandle MALLOC = NativeCalls.oneArgument(LIBRARY, "malloc");
    private static final MethodHandle FREE = NativeCalls.free(LIBRARY, "free");
    private static final MethodHandle CALLOC = NativeCalls.twoArguments(LIBRARY, "calloc");
    private static final MethodHandle REALLOC = NativeCalls.twoArguments(LIBRARY, "realloc");
    private static final MethodHandle ALIGNED_ALLOC = NativeCalls.twoArguments(LIBRARY, "aligned_alloc");

    @Override
    public String name() {
        return "jemalloc";
    }

    @Override
    public String notes() {
        return "malloc, free, calloc, realloc, aligned_alloc from the LD_PRELOADed libjemalloc.so.2 through FFM critical downcalls; free ignores the size";
    }

    @Override
    public long malloc(long size) {
        try {
            return NativeCalls.checked((long) MALLOC.invokeExact(size), "jemalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        try {
            return NativeCalls.checked((long) ALIGNED_ALLOC.invokeExact(alignment, size), "jemalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long calloc(long size) {
        try {
            return NativeCalls.checked((long) CALLOC.invokeExact(1L, size), "jemalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        try {
            return NativeCalls.checked((long) REALLOC.invokeExact(address, newSize), "jemalloc", newSize);
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
