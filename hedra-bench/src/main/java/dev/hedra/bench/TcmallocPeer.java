package dev.hedra.bench;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * tcmalloc's own entry points in {@code libtcmalloc_minimal.so.4} (gperftools' tcmalloc without
 * the heap profiler), which can be dlopen'ed.
 */
final class TcmallocPeer implements Peer {

    // The handles are static final so that the JIT treats them as constants and inlines the call.
    private static final SymbolLookup LIBRARY = NativeLibrary.TCMALLOC.load();
    private static final MethodHandle MALLOC = NativeLibrary.TCMALLOC.mallocHandle(LIBRARY, "tc_malloc");
    private static final MethodHandle FREE = NativeLibrary.TCMALLOC.freeHandle(LIBRARY, "tc_free");

    @Override
    public String name() {
        return PeerKind.TCMALLOC.peerName();
    }

    @Override
    public long allocate(int slot, long size) {
        long address;
        try {
            address = (long) MALLOC.invokeExact(size);
        } catch (Throwable failure) {
            throw NativeLibrary.rethrow(failure);
        }
        if (address == 0) {
            throw NativeLibrary.outOfMemory(name(), size);
        }
        return address;
    }

    @Override
    public void free(int slot, long address, long size) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable failure) {
            throw NativeLibrary.rethrow(failure);
        }
    }
}
