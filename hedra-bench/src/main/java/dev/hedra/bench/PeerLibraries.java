package dev.hedra.bench;

import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The native peers' libraries as the JMH peers find them, for the comparison suite's allocators
 * ({@code dev.hedra.bench.suite.peers}), so that both load and verify them the same way.
 */
public final class PeerLibraries {

    private PeerLibraries() {}

    /** glibc's {@code libc.so.6} itself, so that a preloaded allocator cannot stand in for it. */
    public static SymbolLookup glibc() {
        return NativeLibrary.GLIBC.load();
    }

    /** {@code libmimalloc.so.2}, dlopen'ed. */
    public static SymbolLookup mimalloc() {
        return NativeLibrary.MIMALLOC.load();
    }

    /** {@code libtcmalloc_minimal.so.4}, dlopen'ed. */
    public static SymbolLookup tcmalloc() {
        return NativeLibrary.TCMALLOC.load();
    }

    /**
     * The jemalloc this JVM preloads, verified to be jemalloc ({@link JemallocPreload}).
     *
     * @throws IllegalStateException if it is not preloaded or is not jemalloc
     */
    public static SymbolLookup preloadedJemalloc() {
        return JemallocPreload.verifiedLibrary();
    }

    /** Whether this JVM was started with jemalloc in {@code LD_PRELOAD}. */
    public static boolean jemallocPreloaded() {
        return JemallocPreload.isPreloaded();
    }

    /** Where {@code libjemalloc.so.2} is installed, for {@code LD_PRELOAD}. */
    public static Optional<Path> jemallocOnDisk() {
        return JemallocPreload.findLibrary();
    }

    /**
     * Says why the peer called {@code peerName} cannot run on this machine (the missing library
     * and its Debian package), or nothing when it can; jemalloc counts as present when it is on
     * disk, since it runs in a JVM that preloads it.
     */
    public static Optional<String> unavailableReason(String peerName) {
        return PeerKind.byName(peerName).unavailableReason();
    }
}
