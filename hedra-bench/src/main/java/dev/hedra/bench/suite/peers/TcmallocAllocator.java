package dev.hedra.bench.suite.peers;

import dev.hedra.bench.PeerLibraries;
import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * tcmalloc's own entry points ({@code tc_*}) in {@code libtcmalloc_minimal.so.4} (gperftools' tcmalloc without the heap profiler), which can be dlopen'ed: {@link PeerLibraries#tcmalloc()} keeps it off the program break, which the JVM's glibc malloc uses.
 */
public final class TcmallocAllocator implements SuiteAllocator {

    // static final, so that the JIT treats the handles as constants and inlines the downcalls.
    private static final SymbolLookup LIBRARY = PeerLibraries.tcmalloc();
    private static final MethodHandle MALLOC = NativeCalls.oneArgument(LIBRARY, "tc_malloc");
    private static final MethodHandle FREE = NativeCalls.free(LIBRARY, "tc_free");
    private static final MethodHandle CALLOC = NativeCalls.twoArguments(LIBRARY, "tc_calloc");
    private static final MethodHandle REALLOC = NativeCalls.twoArguments(LIBRARY, "tc_realloc");
    private static final MethodHandle ALIGNED_ALLOC = NativeCalls.twoArguments(LIBRARY, "tc_memalign");

    @Override
    public String name() {
        return "tcmalloc";
    }

    @Override
    public String notes() {
        return "tc_malloc, tc_free, tc_calloc, tc_realloc, tc_memalign from libtcmalloc_minimal.so.4 through FFM critical downcalls, TCMALLOC_SKIP_SBRK=true (mmap only: the JVM's glibc malloc owns the program break); free ignores the size";
    }

    @Override
    public long malloc(long size) {
        try {
            return NativeCalls.checked((long) MALLOC.invokeExact(size), "tcmalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        try {
            return NativeCalls.checked((long) ALIGNED_ALLOC.invokeExact(alignment, size), "tcmalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long calloc(long size) {
        try {
            return NativeCalls.checked((long) CALLOC.invokeExact(1L, size), "tcmalloc", size);
        } catch (Throwable failure) {
            throw NativeCalls.rethrow(failure);
        }
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        try {
            return NativeCalls.checked((long) REALLOC.invokeExact(address, newSize), "tcmalloc", newSize);
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
