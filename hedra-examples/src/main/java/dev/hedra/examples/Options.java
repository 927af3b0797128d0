package dev.hedra.examples;

import java.util.List;

/**
 * The command line of {@link KdTreeExample}, checked once here.
 *
 * @param backends the back ends to run, in table order
 * @param workload the sizes and seed
 * @param sameJvm run every back end in this JVM instead of a child JVM each
 * @param resultLine print only the machine-readable result line (how a child JVM answers)
 * @param help print the usage and stop
 */
record Options(List<BackendKind> backends, Workload workload, boolean sameJvm, boolean resultLine, boolean help) {

    // About 40 seconds for all six back ends on two idle cores: 40 million nodes each.
    static final int DEFAULT_TREES = 2_000;
    static final int DEFAULT_POINTS = 20_000;
    static final int DEFAULT_QUERIES = 1_000;
    static final long DEFAULT_SEED = 42;

    static String usage() {
        int processors = Runtime.getRuntime().availableProcessors();
        return """
                Usage: scripts/example [options]

                Builds and queries off-heap k-d trees on a fixed thread pool, with each back end in
                turn, and prints a table of times, rates and peak resident memory.

                  --backend LIST      hedra, hedra-free, hedra-pool, hedra-arena, arena, malloc, a
                                      comma-separated list of them, or all (default all)
                  --threads N         workers in the fixed pool (default %d, the available processors)
                  --trees N           trees in the measured round, one task each (default %d)
                  --points N          points, so 40-byte nodes, per tree (default %,d)
                  --queries N         range queries per tree; their hits make its result block (default %,d)
                  --seed N            seed of the points and queries (default %d)
                  --warmup-trees N    trees built first, untimed, in the same JVM (default trees / 4)
                  --same-jvm          run the back ends one after another in this JVM; by default each
                                      runs in a child JVM of its own when several are asked for, so that
                                      each has its own peak memory and its own JIT profile
                  --result-line       print only a machine-readable result line (used by the child JVMs)
                  --help              print this and stop
                """.formatted(processors, DEFAULT_TREES, DEFAULT_POINTS, DEFAULT_QUERIES, DEFAULT_SEED);
    }

    /** @throws IllegalArgumentException naming the bad option or value */
    static Options parse(String... args) {
        List<BackendKind> backends = List.of(BackendKind.values());
        int threads = Runtime.getRuntime().availableProcessors();
        int trees = DEFAULT_TREES;
        int points = DEFAULT_POINTS;
        int queries = DEFAULT_QUERIES;
        long seed = DEFAULT_SEED;
        Integer warmupTrees = null;
        boolean sameJvm = false;
        boolean resultLine = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--backend" -> backends = BackendKind.parseList(valueOf(args, ++i, option));
                case "--threads" -> threads = integer(args, ++i, option);
                case "--trees" -> trees = integer(args, ++i, option);
                case "--points" -> points = integer(args, ++i, option);
                case "--queries" -> queries = integer(args, ++i, option);
                case "--seed" -> seed = number(args, ++i, option);
                case "--warmup-trees" -> warmupTrees = integer(args, ++i, option);
                case "--same-jvm" -> sameJvm = true;
                case "--result-line" -> resultLine = true;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + option + "' (--help lists them)");
            }
        }
        Workload workload = new Workload(threads, trees, points, queries, seed,
                warmupTrees != null ? warmupTrees : trees / 4);
        if (resultLine && backends.size() != 1) {
            throw new IllegalArgumentException("--result-line needs exactly one --backend, not " + backends.size());
        }
        return new Options(backends, workload, sameJvm, resultLine, help);
    }

    /** Whether each back end runs in a child JVM of its own. */
    boolean forks() {
        return backends.size() > 1 && !sameJvm && !resultLine;
    }

    /** The arguments that make a child JVM run {@code backend} alone on the same workload. */
    List<String> childArguments(BackendKind backend) {
        return List.of(
                "--backend", backend.label(),
                "--threads", Integer.toString(workload.threads()),
                "--trees", Integer.toString(workload.trees()),
                "--points", Integer.toString(workload.points()),
                "--queries", Integer.toString(workload.queries()),
                "--seed", Long.toString(workload.seed()),
                "--warmup-trees", Integer.toString(workload.warmupTrees()),
                "--result-line");
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static long number(String[] args, int index, String option) {
        String value = valueOf(args, index, option);
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, not '" + value + "'");
        }
    }

    private static int integer(String[] args, int index, String option) {
        long value = number(args, index, option);
        if (value != (int) value) {
            throw new IllegalArgumentException(option + " is too large: " + value);
        }
        return (int) value;
    }
}
