package dev.hedra.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * A native allocator's shared library, the Debian package that installs it, and the downcalls
 * into it that every native peer makes the same way.
 *
 * <p>Pointers cross as {@code long} ({@code void *} and {@code size_t} are both 64-bit integer
 * registers on the supported platforms), so a call makes no {@code MemorySegment}. Calls are
 * {@linkplain Linker.Option#critical(boolean) critical} without heap access: an allocator never
 * blocks for long and never upcalls, so the thread-state transition is not needed.
 */
enum NativeLibrary {
    GLIBC("libc.so.6", "libc6"),
    JEMALLOC("libjemalloc.so.2", "libjemalloc2"),
    MIMALLOC("libmimalloc.so.2", "libmimalloc2.0"),
    TCMALLOC("libtcmalloc_minimal.so.4", "libtcmalloc-minimal4");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor MALLOC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor FREE = FunctionDescriptor.ofVoid(JAVA_LONG);

    private final String fileName;
    private final String debianPackage;

    NativeLibrary(String fileName, String debianPackage) {
        this.fileName = fileName;
        this.debianPackage = debianPackage;
    }

    String fileName() {
        return fileName;
    }

    /** Loads the library for the life of the JVM. */
    SymbolLookup load() {
        try {
            return SymbolLookup.libraryLookup(fileName, Arena.global());
        } catch (IllegalArgumentException notFound) {
            throw new IllegalStateException(missingMessage(), notFound);
        }
    }

    /** Says why the library cannot be loaded, or nothing when it can. */
    Optional<String> unavailableReason() {
        try {
            load();
            return Optional.empty();
        } catch (IllegalStateException missing) {
            return Optional.of(missing.getMessage());
        }
    }

    /** The one-line note printed when the library is missing. */
    String missingMessage() {
        return fileName + " not found (Debian package " + debianPackage + ")";
    }

    /** A handle for {@code void *symbol(size_t)}, invoked as {@code (long) handle.invokeExact(size)}. */
    MethodHandle mallocHandle(SymbolLookup library, String symbol) {
        return downcall(library, symbol, MALLOC);
    }

    /** A handle for {@code void symbol(void *)}, invoked as {@code handle.invokeExact(address)}. */
    MethodHandle freeHandle(SymbolLookup library, String symbol) {
        return downcall(library, symbol, FREE);
    }

    private MethodHandle downcall(SymbolLookup library, String symbol, FunctionDescriptor descriptor) {
        var function = library.find(symbol)
                .orElseThrow(() -> new IllegalStateException(fileName + " has no symbol " + symbol));
        return LINKER.downcallHandle(function, descriptor, Linker.Option.critical(false));
    }

    /** Rethrows what {@code invokeExact} declared as {@code Throwable}; a downcall throws nothing checked. */
    static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(failure);
    }

    /** The OutOfMemoryError a native peer raises when its allocator returns NULL. */
    static OutOfMemoryError outOfMemory(String peer, long size) {
        return new OutOfMemoryError(peer + " returned NULL for " + size + " bytes");
    }
}
