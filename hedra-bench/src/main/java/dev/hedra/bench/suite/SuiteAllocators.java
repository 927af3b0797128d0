package dev.hedra.bench.suite;

import dev.hedra.bench.PeerLibraries;
import dev.hedra.bench.suite.peers.ArenaAllocator;
import dev.hedra.bench.suite.peers.GlibcAllocator;
import dev.hedra.bench.suite.peers.HedraAllocator;
import dev.hedra.bench.suite.peers.JemallocAllocator;
import dev.hedra.bench.suite.peers.MimallocAllocator;
import dev.hedra.bench.suite.peers.NettyAllocator;
import dev.hedra.bench.suite.peers.TcmallocAllocator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The suite's allocators by name ({@code dev.hedra.bench.suite.peers}), and which of them this
 * machine can run. Creating an allocator loads its class only then, so a missing library affects
 * only its own runs.
 *
 * <p>jemalloc runs only in a JVM started with {@code LD_PRELOAD=}{@link #jemallocLibrary()}; it
 * counts as available when the library is installed, and {@link #byName} refuses it, saying so,
 * in a JVM without the preload.
 */
public final class SuiteAllocators {

    /** Every allocator, in table order. */
    public static final List<String> NAMES = List.of(
            "hedra", "glibc", "jemalloc", "mimalloc", "tcmalloc", "arena", "netty-pooled", "netty-adaptive");

    private static final Pattern DEBIAN_PACKAGE = Pattern.compile("Debian package ([^)\\s]+)");

    private SuiteAllocators() {}

    /**
     * Creates the allocator called {@code name} for a workload that frees every block on the
     * thread that allocated it ({@code arena} is then one confined arena per block).
     */
    public static SuiteAllocator byName(String name) {
        return byName(name, false);
    }

    /**
     * Creates the allocator called {@code name}.
     *
     * @param freesAcrossThreads whether the workload frees blocks on threads other than the one
     *     that allocated them; {@code arena} then uses a shared arena per block
     * @throws IllegalArgumentException if no allocator has that name
     * @throws IllegalStateException if its library is missing or, for jemalloc, not preloaded
     */
    public static SuiteAllocator byName(String name, boolean freesAcrossThreads) {
        return switch (name) {
            case "hedra" -> new HedraAllocator();
            case "glibc" -> new GlibcAllocator();
            case "jemalloc" -> {
                PeerLibraries.preloadedJemalloc(); // a clear refusal before JemallocAllocator initializes
                yield new JemallocAllocator();
            }
            case "mimalloc" -> {
                requirePresent(name);
                yield new MimallocAllocator();
            }
            case "tcmalloc" -> {
                requirePresent(name);
                yield new TcmallocAllocator();
            }
            case "arena" -> freesAcrossThreads ? ArenaAllocator.shared() : ArenaAllocator.confined();
            case "netty-pooled" -> NettyAllocator.pooled();
            case "netty-adaptive" -> NettyAllocator.adaptive();
            default -> throw new IllegalArgumentException(
                    "unknown allocator '" + name + "'; known: " + String.join(",", NAMES));
        };
    }

    /** The allocators this machine can run, in table order (jemalloc when it is installed). */
    public static List<String> available() {
        return NAMES.stream().filter(name -> missingNote(name).isEmpty()).toList();
    }

    /** For each allocator this machine cannot run, the one-line note that says how to install it. */
    public static Map<String, String> missing() {
        Map<String, String> notes = new LinkedHashMap<>();
        for (String name : NAMES) {
            missingNote(name).ifPresent(note -> notes.put(name, note));
        }
        return notes;
    }

    /**
     * Says, in one line, why {@code name} cannot run here and how to install it, e.g. {@code
     * "mimalloc skipped: libmimalloc.so.2 not found (Debian package libmimalloc2.0); install it with
     * sudo apt-get install libmimalloc2.0"}; nothing when it can run.
     */
    public static Optional<String> missingNote(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown allocator '" + name + "'; known: " + String.join(",", NAMES));
        }
        return PeerLibraries.unavailableReason(name).map(reason -> {
            Matcher debian = DEBIAN_PACKAGE.matcher(reason);
            return name + " skipped: " + reason
                    + (debian.find() ? "; install it with sudo apt-get install " + debian.group(1) : "");
        });
    }

    /** Where jemalloc is installed, for the {@code LD_PRELOAD} of the JVM that runs it. */
    public static Optional<Path> jemallocLibrary() {
        return PeerLibraries.jemallocOnDisk();
    }

    private static void requirePresent(String name) {
        missingNote(name).ifPresent(note -> {
            throw new IllegalStateException(note);
        });
    }
}
