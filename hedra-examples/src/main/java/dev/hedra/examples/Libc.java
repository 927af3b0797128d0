package dev.hedra.examples;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * The C library's {@code malloc} and {@code free} through FFM downcalls.
 *
 * <p>Pointers cross as {@code long}, so a call makes no {@code MemorySegment}. The calls are
 * {@linkplain Linker.Option#critical(boolean) critical}: {@code malloc} never blocks for long
 * and never calls back into Java, so the thread-state transition a normal downcall makes is not
 * needed. The handles are static final so that the JIT inlines the call.
 */
@SuppressWarnings("restricted") // downcallHandle: the program runs with --enable-native-access
final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("malloc"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG),
            Linker.Option.critical(false));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("free"),
            FunctionDescriptor.ofVoid(JAVA_LONG),
            Linker.Option.critical(false));

    private Libc() {}

    static long malloc(long size) {
        long address;
        try {
            address = (long) MALLOC.invokeExact(size);
        } catch (Throwable failure) {
            throw rethrow(failure);
        }
        if (address == 0) {
            throw new OutOfMemoryError("malloc returned NULL for " + size + " bytes");
        }
        return address;
    }

    static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable failure) {
            throw rethrow(failure);
        }
    }

    /** A downcall declares {@code Throwable} but throws nothing checked. */
    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(failure);
    }
}
