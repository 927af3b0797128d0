package dev.hedra.bench;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * The allocators Hedra is compared with, by the name the benchmarks' {@code allocator} parameter
 * takes. Creating a peer loads its class only then, so a missing library affects only its own
 * runs.
 */
public enum PeerKind {
    HEDRA("hedra", slots -> new HedraPeer()),
    GLIBC("glibc", slots -> new GlibcPeer()),
    JEMALLOC("jemalloc", slots -> {
        JemallocPreload.verifiedLibrary(); // a clear refusal before JemallocPeer initializes
        return new JemallocPeer();
    }),
    MIMALLOC("mimalloc", slots -> new MimallocPeer()),
    TCMALLOC("tcmalloc", slots -> new TcmallocPeer()),
    ARENA("arena", ConfinedArenaPeer::new),
    NETTY_POOLED("netty-pooled", NettyPeer::pooled),
    NETTY_ADAPTIVE("netty-adaptive", NettyPeer::adaptive);

    private final String peerName;
    private final IntFunction<Peer> factory;

    PeerKind(String peerName, IntFunction<Peer> factory) {
        this.peerName = peerName;
        this.factory = factory;
    }

    /** The name used by {@code -p allocator=...} and in reports. */
    public String peerName() {
        return peerName;
    }

    /**
     * Creates the peer with room for {@code slots} handles.
     *
     * @throws IllegalStateException if its library is missing or, for jemalloc, not preloaded
     */
    public Peer create(int slots) {
        return factory.apply(slots);
    }

    /**
     * Says why this peer cannot run on this machine, or nothing when it can. Native libraries are
     * looked up here (mimalloc and tcmalloc are loaded into this JVM; jemalloc is only found on
     * disk, since it runs in a JVM of its own, see {@link JemallocPreload}).
     */
    public Optional<String> unavailableReason() {
        return switch (this) {
            case JEMALLOC -> JemallocPreload.findLibrary().isPresent()
                    ? Optional.empty()
                    : Optional.of(NativeLibrary.JEMALLOC.missingMessage());
            case MIMALLOC -> NativeLibrary.MIMALLOC.unavailableReason();
            case TCMALLOC -> NativeLibrary.TCMALLOC.unavailableReason();
            case GLIBC -> NativeLibrary.GLIBC.unavailableReason();
            case HEDRA, ARENA, NETTY_POOLED, NETTY_ADAPTIVE -> Optional.empty();
        };
    }

    /** Returns the peer called {@code name}, e.g. {@code "netty-pooled"}. */
    public static PeerKind byName(String name) {
        for (PeerKind kind : values()) {
            if (kind.peerName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown allocator '" + name + "'; known: " + allNames());
    }

    /** The names of all peers, comma-separated, in table order. */
    public static String allNames() {
        return Arrays.stream(values()).map(PeerKind::peerName).collect(Collectors.joining(","));
    }
}
