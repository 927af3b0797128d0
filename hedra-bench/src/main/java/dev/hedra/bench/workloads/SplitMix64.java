package dev.hedra.bench.workloads;

/**
 * Sebastiano Vigna's SplitMix64: a tiny, fast, well-mixed generator, one per thread, so that
 * every thread of a workload draws the same sequence on every run and on every allocator.
 */
final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state; // owner thread only

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** The generator of thread {@code thread} of a workload seeded with {@code seed}. */
    static SplitMix64 forThread(long seed, long thread) {
        return new SplitMix64(mix(seed ^ mix((thread + 1) * GOLDEN_GAMMA)));
    }

    long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    /** Uniform in {@code [0, bound)}, {@code bound} positive and below 2^31. */
    int nextInt(int bound) {
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Uniform in {@code [min, max]}. */
    long between(long min, long max) {
        return min + Long.remainderUnsigned(nextLong(), max - min + 1);
    }

    /** Uniform in {@code [0, 1)}. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** True with probability {@code percent}/100. */
    boolean percent(int percent) {
        return nextInt(100) < percent;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
