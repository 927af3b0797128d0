package dev.hedra.examples;

/**
 * The sizes of one run and the seeded inputs derived from them.
 *
 * <p>Tree {@code t} inserts {@code points} uniform points of the unit cube, then runs
 * {@code queries} axis-aligned box queries whose side is chosen so that a box holds
 * {@link #EXPECTED_HITS} points on average; their hits make the tree's result block. Both come from a generator seeded with
 * {@code seed} and {@code t} alone, so a tree's points, its shape and its query results are the
 * same on every back end and whichever worker builds it.
 *
 * @param threads workers in the fixed pool
 * @param trees trees built in the measured round (one task each)
 * @param points points, so nodes, per tree
 * @param queries range queries per tree
 * @param seed the seed of every input
 * @param warmupTrees trees built before the measured round, in the same JVM, to compile the code
 */
record Workload(int threads, int trees, int points, int queries, long seed, int warmupTrees) {

    /** The mean number of points a query box holds. */
    static final double EXPECTED_HITS = 8;

    Workload {
        positive("threads", threads);
        positive("trees", trees);
        positive("points", points);
        positive("queries", queries);
        if (warmupTrees < 0) {
            throw new IllegalArgumentException("warm-up trees must not be negative: " + warmupTrees);
        }
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
    }

    /** The generator of tree {@code tree}'s points, then its queries. */
    SplitMix64 inputsOf(int tree) {
        return new SplitMix64(SplitMix64.mix(seed) + tree);
    }

    /** The side of a query box: {@code points * side^3 == EXPECTED_HITS} in the unit cube. */
    double boxSide() {
        return Math.cbrt(EXPECTED_HITS / points);
    }

    /** The same sizes with another tree count: the warm-up round. */
    Workload withTrees(int count) {
        return new Workload(threads, count, points, queries, seed, 0);
    }

    long nodes() {
        return (long) trees * points;
    }
}
