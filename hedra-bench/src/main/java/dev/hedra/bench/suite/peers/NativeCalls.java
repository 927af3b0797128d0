package dev.hedra.bench.suite.peers;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles into a native allocator, made the way the JMH peers make them: pointers and
 * sizes cross as {@code long}, and calls are {@linkplain Linker.Option#critical(boolean) critical}
 * (an allocator never blocks for long and never upcalls).
 *
 * <p>Why each native peer is a class of its own with the same shape: its handles must be
 * {@code static final} for the JIT to treat them as constants and inline the downcalls. One
 * shared class with the handles in instance fields would call through them slower, and so would
 * handicap the peers that Hedra is measured against.
 */
final class NativeCalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor ONE_ARGUMENT = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor TWO_ARGUMENTS = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor FREE = FunctionDescriptor.ofVoid(JAVA_LONG);

    private NativeCalls() {}

    /** {@code void *symbol(size_t)}, invoked as {@code (long) handle.invokeExact(a)}. */
    static MethodHandle oneArgument(SymbolLookup library, String symbol) {
        return downcall(library, symbol, ONE_ARGUMENT);
    }

    /** {@code void *symbol(size_t, size_t)} or {@code void *symbol(void *, size_t)}. */
    static MethodHandle twoArguments(SymbolLookup library, String symbol) {
        return downcall(library, symbol, TWO_ARGUMENTS);
    }

    /** {@code void symbol(void *)}, invoked as {@code handle.invokeExact(address)}. */
    static MethodHandle free(SymbolLookup library, String symbol) {
        return downcall(library, symbol, FREE);
    }

    private static MethodHandle downcall(SymbolLookup library, String symbol, FunctionDescriptor descriptor) {
        var function = library.find(symbol)
                .orElseThrow(() -> new IllegalStateException("no symbol " + symbol + " in " + library));
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

    /** Checks what a native allocator returned: NULL becomes an {@link OutOfMemoryError}. */
    static long checked(long address, String allocator, long size) {
        if (address == 0) {
            throw new OutOfMemoryError(allocator + " returned NULL for " + size + " bytes");
        }
        return address;
    }
}
