package dev.hedra.bench;

import java.lang.foreign.Arena;

/**
 * The JDK's own way to free one native allocation: a fresh {@code Arena.ofConfined()} per block,
 * closed to free it. The arena zeroes the block and mallocs underneath; that is its cost.
 *
 * <p>A confined arena can be closed only by the thread that opened it, so this peer cannot take
 * part in the hand-off workload.
 */
final class ConfinedArenaPeer implements Peer {

    private final Arena[] arenas; // indexed by slot; null when the slot is free

    ConfinedArenaPeer(int slots) {
        this.arenas = new Arena[slots];
    }

    @Override
    public String name() {
        return PeerKind.ARENA.peerName();
    }

    @Override
    public long allocate(int slot, long size) {
        Arena arena = Arena.ofConfined();
        arenas[slot] = arena;
        return arena.allocate(size, Long.BYTES).address();
    }

    @Override
    public void free(int slot, long address, long size) {
        arenas[slot].close();
        arenas[slot] = null; // drop the closed arena at once, as a user would
    }
}
