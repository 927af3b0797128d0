package dev.hedra.bench;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** mimalloc's own entry points in {@code libmimalloc.so.2}, which can be dlopen'ed. */
final class MimallocPeer implements Peer {

    // The handles are static final so that the JIT treats them as constants and inlines the call.
    private static final SymbolLookup LIBRARY = NativeLibrary.MIMALLOC.load();
    private static final MethodHandle MALLOC = NativeLibrary.MIMALLOC.mallocHandle(LIBRARY, "mi_malloc");
    private static final MethodHandle FREE = NativeLibrary.MIMALLOC.freeHandle(LIBRARY, "mi_free");

    @Override
    public String name() {
        return PeerKind.MIMALLOC.peerName();
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
