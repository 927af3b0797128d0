package dev.hedra.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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

    /**
     * {@code libtcmalloc_minimal.so.4}, dlopen'ed, told first to take memory with {@code mmap} only.
     *
     * <p>By default tcmalloc grows the program break with {@code sbrk}, which glibc's malloc (the
     * JVM's own) also moves, under its own lock: the two race, and glibc's trimming can cut off
     * memory tcmalloc handed out (blocks lose their contents, then glibc aborts with "malloc
     * assertion failure in sysmalloc"). {@code TCMALLOC_SKIP_SBRK=true}, read when the library
     * loads, keeps tcmalloc off the break; it is set here unless the environment already has it.
     */
    public static SymbolLookup tcmalloc() {
        TcmallocEnvironment.skipSbrk();
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
        PeerKind kind = PeerKind.byName(peerName);
        if (kind == PeerKind.TCMALLOC) {
            TcmallocEnvironment.skipSbrk(); // the check loads the library
        }
        return kind.unavailableReason();
    }

    /** Sets {@code TCMALLOC_SKIP_SBRK=true} in this process once, before tcmalloc is loaded. */
    private static final class TcmallocEnvironment {

        static {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                // overwrite = 0: a value given in the environment wins
                int status = (int) setenv.invokeExact(arena.allocateFrom("TCMALLOC_SKIP_SBRK"),
                        arena.allocateFrom("true"), 0);
                if (status != 0) {
                    throw new IllegalStateException("setenv(TCMALLOC_SKIP_SBRK) failed with " + status);
                }
            } catch (Throwable failure) {
                throw NativeLibrary.rethrow(failure);
            }
        }

        static void skipSbrk() {
            // the static initializer did the work, once
        }
    }
}
