package dev.hedra.bench.trace;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.hedra.Hedra;
import dev.hedra.NativeAllocator;
import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Two small SuiteAllocators for the replay tests: Hedra's process-wide allocator and glibc through
 * FFM. The suite's own peers are in {@code dev.hedra.bench.suite.peers}; these stay so that the
 * trace tests depend only on the suite contract.
 */
final class TestAllocators {

    private TestAllocators() {}

    static List<SuiteAllocator> all() {
        return List.of(new HedraAllocator(), new GlibcAllocator());
    }

    static final class HedraAllocator implements SuiteAllocator {
        private static final NativeAllocator HEDRA = Hedra.allocator();

        @Override
        public String name() {
            return "hedra";
        }

        @Override
        public String notes() {
            return "Hedra.allocator(), sized free";
        }

        @Override
        public long malloc(long size) {
            return HEDRA.malloc(size);
        }

        @Override
        public long alignedAlloc(long alignment, long size) {
            return HEDRA.malloc(size, alignment);
        }

        @Override
        public long calloc(long size) {
            return HEDRA.calloc(size);
        }

        @Override
        public long realloc(long address, long oldSize, long newSize) {
            return HEDRA.realloc(address, newSize);
        }

        @Override
        public void free(long address, long size) {
            HEDRA.free(address, size);
        }
    }

    static final class GlibcAllocator implements SuiteAllocator {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIBC = SymbolLookup.libraryLookup("libc.so.6", Arena.global());
        private static final MethodHandle MALLOC = handle("malloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        private static final MethodHandle ALIGNED_ALLOC =
                handle("aligned_alloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
        private static final MethodHandle CALLOC =
                handle("calloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
        private static final MethodHandle REALLOC =
                handle("realloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
        private static final MethodHandle FREE = handle("free", FunctionDescriptor.ofVoid(JAVA_LONG));

        private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor,
                    Linker.Option.critical(false));
        }

        @Override
        public String name() {
            return "glibc";
        }

        @Override
        public String notes() {
            return "libc.so.6 through FFM critical downcalls";
        }

        @Override
        public long malloc(long size) {
            try {
                return nonNull((long) MALLOC.invokeExact(size), size);
            } catch (Throwable failure) {
                throw rethrow(failure);
            }
        }

        @Override
        public long alignedAlloc(long alignment, long size) {
            // C11 wants the size a multiple of the alignment; glibc does not, but stay portable.
            long rounded = (size + alignment - 1) & -alignment;
            try {
                return nonNull((long) ALIGNED_ALLOC.invokeExact(alignment, rounded), size);
            } catch (Throwable failure) {
                throw rethrow(failure);
            }
        }

        @Override
        public long calloc(long size) {
            try {
                return nonNull((long) CALLOC.invokeExact(1L, size), size);
            } catch (Throwable failure) {
                throw rethrow(failure);
            }
        }

        @Override
        public long realloc(long address, long oldSize, long newSize) {
            try {
                return nonNull((long) REALLOC.invokeExact(address, newSize), newSize);
            } catch (Throwable failure) {
                throw rethrow(failure);
            }
        }

        @Override
        public void free(long address, long size) {
            try {
                FREE.invokeExact(address);
            } catch (Throwable failure) {
                throw rethrow(failure);
            }
        }

        private static long nonNull(long address, long size) {
            if (address == 0) {
                throw new OutOfMemoryError("glibc returned NULL for " + size + " bytes");
            }
            return address;
        }

        private static RuntimeException rethrow(Throwable failure) {
            if (failure instanceof RuntimeException unchecked) {
                return unchecked;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return new IllegalStateException(failure);
        }
    }
}
