package dev.hedra.bench;

import dev.hedra.Hedra;
import dev.hedra.NativeAllocator;

/** Hedra's process-wide allocator, freeing with the size it was asked for (the sized free). */
final class HedraPeer implements Peer {

    // static final: the JIT sees one receiver and inlines through the interface.
    private static final NativeAllocator HEDRA = Hedra.allocator();

    @Override
    public String name() {
        return PeerKind.HEDRA.peerName();
    }

    @Override
    public long allocate(int slot, long size) {
        return HEDRA.malloc(size);
    }

    @Override
    public void free(int slot, long address, long size) {
        HEDRA.free(address, size);
    }
}
