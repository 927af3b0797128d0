package dev.hedra.internal;

/**
 * An allocator's settings, fixed at build time.
 *
 * @param name shown in statistics and error messages
 * @param memoryLimit cap on committed bytes
 * @param minimumAlignment 8 or 16
 */
public record Config(String name, long memoryLimit, int minimumAlignment) {

    /** Whether expensive internal consistency checks run; read once, so the JIT drops them when off. */
    static final boolean CHECKS = Boolean.getBoolean("hedra.checks");
}
