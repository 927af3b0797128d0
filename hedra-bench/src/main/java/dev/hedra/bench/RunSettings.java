package dev.hedra.bench;

/**
 * How long each (workload, allocator) pair runs. The default suits the full comparison on two
 * cores in about five to ten minutes; {@link #QUICK} is a smoke run whose figures are rough.
 */
record RunSettings(int forks, int warmupIterations, int measurementIterations, long iterationMillis) {

    static final RunSettings DEFAULT = new RunSettings(
            AllocatorBenchmark.FORKS,
            AllocatorBenchmark.WARMUP_ITERATIONS,
            AllocatorBenchmark.MEASUREMENT_ITERATIONS,
            AllocatorBenchmark.ITERATION_SECONDS * 1000L);

    static final RunSettings QUICK = new RunSettings(1, 1, 3, 500);

    /** E.g. "1 fork, 3 x 1000 ms warmup, 5 x 1000 ms measurement". */
    String describe() {
        return "%d fork%s, %d x %d ms warmup, %d x %d ms measurement".formatted(
                forks, forks == 1 ? "" : "s",
                warmupIterations, iterationMillis, measurementIterations, iterationMillis);
    }
}
