package dev.hedra.bench;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * jemalloc's {@code malloc}/{@code free}, from the preloaded library ({@link JemallocPreload}).
 * {@link PeerKind} checks the preload before this class initializes.
 */
final class JemallocPeer implements Peer {

    // The handles are static final so that the JIT treats them as constants and inlines the call.
    private static final SymbolLookup LIBRARY = JemallocPreload.verifiedLibrary();
    private static final MethodHandle MALLOC = NativeLibrary.JEMALLOC.mallocHandle(LIBRARY, "malloc");
    private static final MethodHandle FREE = NativeLibrary.JEMALLOC.freeHandle(LIBRARY, "free");

    /** The version jemalloc reported, e.g. {@code "5.3.0-0-g54eaed1d..."}. */
    static final String VERSION = JemallocPreload.version(LIBRARY);

    @Override
    public String name() {
        return PeerKind.JEMALLOC.peerName();
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
