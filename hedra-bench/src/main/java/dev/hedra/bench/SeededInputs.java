package dev.hedra.bench;

import java.util.SplittableRandom;

/** The workloads' pre-generated inputs: the same seed gives the same arrays on every run. */
final class SeededInputs {

    /** The seed of every workload; a thread of a multi-threaded workload adds its index. */
    static final long SEED = 0x4865647261L; // "Hedra"

    /** The smallest and largest sizes of the mixed batch. */
    static final int MIN_SIZE = 8;
    static final int MAX_SIZE = 1024;

    // Size ranges [8, 16], [16, 32], ..., [512, 1024]: one per doubling.
    private static final int DOUBLINGS = Integer.numberOfTrailingZeros(MAX_SIZE / MIN_SIZE);

    private SeededInputs() {}

    /**
     * Returns {@code count} sizes from 8 B to 1 KiB skewed small, like real programs' requests:
     * each doubling is half as likely as the one below it (half of the sizes are 8 to 16 B, a
     * quarter 16 to 32 B, ...; the last range takes what is left, 1/64), uniform within it. The
     * mean is about 48 B.
     */
    static int[] skewedSizes(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            // Trailing zeros of a random long are k with probability 2^-(k+1): a geometric draw.
            int doubling = Math.min(Long.numberOfTrailingZeros(random.nextLong()), DOUBLINGS - 1);
            int low = MIN_SIZE << doubling;
            sizes[i] = low + random.nextInt(low + 1);
        }
        return sizes;
    }

    /** Returns a random permutation of {@code 0 .. count-1} (Fisher-Yates). */
    static int[] shuffledOrder(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swapped = order[i];
            order[i] = order[j];
            order[j] = swapped;
        }
        return order;
    }
}
