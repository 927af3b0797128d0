package dev.hedra.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How jemalloc gets into a JVM, and the proof that it did.
 *
 * <p>Debian's {@code libjemalloc.so.2} uses initial-exec TLS, so {@code dlopen} refuses it in a
 * running process: it must be in {@code LD_PRELOAD} when the JVM starts. Even then FFM's default
 * lookup still resolves {@code malloc} to glibc's (it searches libc's own scope, not the global
 * one where the preload interposes), so the peer takes {@code malloc}/{@code free} from the
 * jemalloc library by name: {@code dlopen} of an already loaded library returns it without
 * loading it again. Before the peer counts as jemalloc, {@code mallctl("version")} must answer and
 * its {@code malloc} must not be glibc's.
 *
 * <p>{@link Compare} runs jemalloc's JMH forks through {@link #writeJvmWrapper}, a script that
 * sets {@code LD_PRELOAD} and execs {@code java}: JMH starts forks with the parent's environment,
 * but lets the runner name the executable.
 */
public final class JemallocPreload {

    private static final String FILE_NAME = NativeLibrary.JEMALLOC.fileName();

    private JemallocPreload() {}

    /** Finds {@code libjemalloc.so.2} where Debian-like systems install it. */
    static Optional<Path> findLibrary() {
        String multiarch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> System.getProperty("os.arch") + "-linux-gnu";
        };
        List<String> directories = List.of(
                "/usr/lib/" + multiarch, "/lib/" + multiarch, "/usr/lib64", "/usr/lib", "/usr/local/lib");
        return directories.stream()
                .map(directory -> Path.of(directory, FILE_NAME))
                .filter(Files::isReadable)
                .findFirst();
    }

    /** Whether this JVM was started with jemalloc in {@code LD_PRELOAD}. */
    static boolean isPreloaded() {
        String preload = System.getenv("LD_PRELOAD");
        return preload != null
                && Arrays.stream(preload.split("[:\\s]+"))
                        .anyMatch(entry -> Path.of(entry).getFileName().toString().startsWith("libjemalloc"));
    }

    /**
     * Returns the preloaded jemalloc, verified.
     *
     * @throws IllegalStateException if jemalloc is not preloaded or what is loaded is not jemalloc
     */
    static SymbolLookup verifiedLibrary() {
        if (!isPreloaded()) {
            throw new IllegalStateException("jemalloc runs only in a JVM started with LD_PRELOAD="
                    + findLibrary().map(Path::toString).orElse(FILE_NAME)
                    + " (dev.hedra.bench.Compare and scripts/bench do this); not reporting it");
        }
        SymbolLookup library = NativeLibrary.JEMALLOC.load();
        var jemallocMalloc = library.find("malloc");
        var glibcMalloc = NativeLibrary.GLIBC.load().find("malloc");
        if (jemallocMalloc.isEmpty() || jemallocMalloc.equals(glibcMalloc)) {
            throw new IllegalStateException(FILE_NAME + " does not define its own malloc; not reporting it");
        }
        version(library); // throws unless mallctl answers
        return library;
    }

    /** Asks jemalloc for its version through {@code mallctl}, e.g. {@code "5.3.0-0-g54eaed1d..."}. */
    static String version(SymbolLookup library) {
        MemorySegment mallctl = library.find("mallctl")
                .orElseThrow(() -> new IllegalStateException(
                        FILE_NAME + " has no mallctl: it is not jemalloc; not reporting it"));
        // int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
        MethodHandle call = Linker.nativeLinker().downcallHandle(
                mallctl, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(ADDRESS);
            MemorySegment length = arena.allocateFrom(JAVA_LONG, ADDRESS.byteSize());
            int status = (int) call.invokeExact(
                    arena.allocateFrom("version"), version, length, MemorySegment.NULL, 0L);
            if (status != 0) {
                throw new IllegalStateException("mallctl(\"version\") failed with " + status);
            }
            return version.get(ADDRESS, 0).reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable failure) {
            throw NativeLibrary.rethrow(failure);
        }
    }

    /**
     * Writes an executable script that runs {@code java} with {@code library} preloaded, for JMH's
     * {@code jvm} option. It is deleted when this JVM exits.
     */
    static Path writeJvmWrapper(Path library, Path java) throws IOException {
        Path script = Files.createTempFile("hedra-bench-java-jemalloc-", ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        script.toFile().deleteOnExit();
        Files.writeString(script, """
                #!/bin/sh
                # Written by dev.hedra.bench.Compare: a JMH fork with jemalloc preloaded.
                LD_PRELOAD=%s
                export LD_PRELOAD
                exec %s "$@"
                """.formatted(shellQuote(library.toString()), shellQuote(java.toString())));
        return script;
    }

    /**
     * Starts a JVM through {@code wrapper} that runs {@link #main}, and returns the jemalloc
     * version it reports.
     *
     * @throws IllegalStateException with the child's output if jemalloc did not work there
     */
    static String checkInChildJvm(Path wrapper) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(wrapper.toString(), AllocatorBenchmark.NATIVE_ACCESS,
                        "-cp", System.getProperty("java.class.path"), JemallocPreload.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
            child.destroyForcibly();
            throw new IllegalStateException("jemalloc check failed in a JVM with LD_PRELOAD: " + output);
        }
        return output.lines().reduce((first, last) -> last).orElse("");
    }

    /**
     * The child side of {@link #checkInChildJvm}: allocates, writes and frees a block through the
     * jemalloc peer and prints jemalloc's version last.
     */
    public static void main(String[] args) {
        Peer peer = PeerKind.JEMALLOC.create(1);
        long address = peer.allocate(0, 64);
        NativeMemory.writeLong(address, address);
        if (NativeMemory.readLong(address) != address) {
            throw new IllegalStateException("the jemalloc block at " + address + " lost what was written");
        }
        peer.free(0, address, 64);
        System.out.println("jemalloc " + JemallocPeer.VERSION);
    }

    private static String shellQuote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
