package dev.hedra.bench;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * glibc's {@code malloc}/{@code free}, taken from {@code libc.so.6} itself so that a preloaded
 * allocator cannot stand in for them.
 */
final class GlibcPeer implements Peer {

    // The handles are static final so that the JIT treats them as constants and inlines the call.
    private static final SymbolLookup LIBRARY = NativeLibrary.GLIBC.load();
    private static final MethodHandle MALLOC = NativeLibrary.GLIBC.mallocHandle(LIBRARY, "malloc");
    private static final MethodHandle FREE = NativeLibrary.GLIBC.freeHandle(LIBRARY, "free");

    @Override
    public String name() {
        return PeerKind.GLIBC.peerName();
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
