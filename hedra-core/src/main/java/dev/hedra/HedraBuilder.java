package dev.hedra;

import dev.hedra.internal.Config;
import dev.hedra.internal.HedraAllocator;

/**
 * Configures a new allocator. Every setting has a default that suits a general-purpose
 * allocator; an allocator built here owns its memory and releases all of it on
 * {@link NativeAllocator#close()}.
 *
 * <pre>{@code
 * try (NativeAllocator allocator = Hedra.builder()
 *         .memoryLimit(512L << 20)
 *         .minimumAlignment(16)
 *         .build()) {
 *     long address = allocator.malloc(24); // 16-aligned
 *     allocator.free(address);
 * }
 * }</pre>
 */
public final class HedraBuilder {

    private long memoryLimit = Long.MAX_VALUE;
    private int minimumAlignment = 8;
    private String name = "hedra";

    HedraBuilder() {}

    /**
     * Caps the memory the allocator holds (pages of blocks, direct maps of huge blocks). A request
     * past the cap throws {@link OutOfMemoryError}. Default: no cap beyond the operating system.
     *
     * @param bytes the cap in bytes, greater than zero
     */
    public HedraBuilder memoryLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memoryLimit must be positive: " + bytes);
        }
        this.memoryLimit = bytes;
        return this;
    }

    /**
     * Sets the least alignment of every block: 8 (the default) or 16, for users who need
     * 16-byte alignment everywhere (SIMD). Sizes then round up to multiples of 16.
     *
     * @param alignment 8 or 16
     */
    public HedraBuilder minimumAlignment(int alignment) {
        if (alignment != 8 && alignment != 16) {
            throw new IllegalArgumentException("minimumAlignment must be 8 or 16: " + alignment);
        }
        this.minimumAlignment = alignment;
        return this;
    }

    /** Names the allocator in statistics and error messages. Default: {@code "hedra"}. */
    public HedraBuilder name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
        return this;
    }

    /** Creates the allocator. */
    public NativeAllocator build() {
        return HedraAllocator.create(new Config(name, memoryLimit, minimumAlignment));
    }
}
