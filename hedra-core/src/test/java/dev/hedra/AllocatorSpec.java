package dev.hedra;

/**
 * The configurations that the matrix tests run over, in the manner of Caffeine's
 * {@code @CacheSpec}: the same test body against each way of building an allocator.
 */
enum AllocatorSpec {

    /** {@code Hedra.builder().build()}: the defaults. */
    DEFAULT(8, true) {
        @Override
        NativeAllocator create() {
            return Hedra.builder().name("hedra-test").build();
        }
    },

    /** Every block 16-aligned; sizes round to multiples of 16. */
    MINIMUM_ALIGNMENT_16(16, true) {
        @Override
        NativeAllocator create() {
            return Hedra.builder().name("hedra-test-16").minimumAlignment(16).build();
        }
    },

    /** A memory limit far above what the tests use: the limit's bookkeeping must not disturb. */
    LIMITED_1_GIB(8, true) {
        @Override
        NativeAllocator create() {
            return Hedra.builder().name("hedra-test-limited").memoryLimit(1L << 30).build();
        }
    },

    /** The process-wide allocator: not fresh, never closed; checked against a baseline. */
    PROCESS_WIDE(8, false) {
        @Override
        NativeAllocator create() {
            return Hedra.allocator();
        }
    };

    final int minimumAlignment;
    /** Fresh and closeable: built for the test alone. */
    final boolean fresh;

    AllocatorSpec(int minimumAlignment, boolean fresh) {
        this.minimumAlignment = minimumAlignment;
        this.fresh = fresh;
    }

    abstract NativeAllocator create();

    /** A checked allocator of this configuration, for try-with-resources. */
    NativeAllocator open() {
        return CheckedAllocator.wrap(create(), fresh);
    }

    long usableSize(long size) {
        return SizeClassOracle.usableSize(size, minimumAlignment);
    }

    long alignment(long usableSize) {
        return SizeClassOracle.alignment(usableSize, minimumAlignment);
    }
}
