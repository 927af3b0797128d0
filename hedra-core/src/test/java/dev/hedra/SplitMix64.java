package dev.hedra;

/**
 * A small deterministic PRNG (Steele, Lea and Flood's SplitMix64), as in mimalloc's
 * {@code test-stress}: every random choice of a test comes from one of these, seeded from a fixed
 * constant plus the thread or round index, so that a failure replays.
 */
final class SplitMix64 {

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** The finaliser of SplitMix64: a good 64-bit mix, used for cookies and patterns too. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    /** Uniform in [0, bound). */
    long nextLong(long bound) {
        return Long.remainderUnsigned(nextLong(), bound);
    }

    /** Uniform in [from, to]. */
    long between(long from, long to) {
        return from + nextLong(to - from + 1);
    }

    /** True with probability 1 / n. */
    boolean oneIn(int n) {
        return nextInt(n) == 0;
    }

    /** True with probability percent / 100. */
    boolean percent(int percent) {
        return nextInt(100) < percent;
    }
}
