package dev.hedra.examples;

import java.util.HashMap;
import java.util.Map;

/**
 * What one back end's measured round produced. A child JVM prints it as one line
 * ({@link #toLine()}) that the parent parses back ({@link #parse(String)}).
 *
 * @param backend the back end's name
 * @param workload the sizes of the measured round
 * @param wallNanos from the first task submitted to the last result freed
 * @param cpuNanos CPU time of the workers' tasks and of the collector
 * @param results result blocks the collector received
 * @param hits points in those blocks
 * @param checksum the sum of the blocks' checksums: equal on every back end
 * @param peakResidentBytes the peak resident set of the JVM during the round, -1 if unknown
 * @param peakSinceJvmStart whether that peak could not be reset before the round, so it covers
 *     everything since the JVM started (including earlier rounds in the same JVM)
 */
record RunResult(
        String backend,
        Workload workload,
        long wallNanos,
        long cpuNanos,
        long results,
        long hits,
        long checksum,
        long peakResidentBytes,
        boolean peakSinceJvmStart) {

    static final String LINE_PREFIX = "kdtree-result";

    double seconds() {
        return wallNanos / 1e9;
    }

    double treesPerSecond() {
        return workload.trees() / seconds();
    }

    double nodesPerSecond() {
        return workload.nodes() / seconds();
    }

    String toLine() {
        return LINE_PREFIX + " backend=" + backend + " threads=" + workload.threads() + " trees=" + workload.trees()
                + " points=" + workload.points() + " queries=" + workload.queries() + " seed=" + workload.seed()
                + " wallNanos=" + wallNanos + " cpuNanos=" + cpuNanos + " results=" + results + " hits=" + hits + " checksum=" + checksum
                + " peakResidentBytes=" + peakResidentBytes + " peakSinceJvmStart=" + peakSinceJvmStart;
    }

    static RunResult parse(String line) {
        if (!line.startsWith(LINE_PREFIX + " ")) {
            throw new IllegalArgumentException("not a result line: " + line);
        }
        Map<String, String> fields = new HashMap<>();
        for (String field : line.substring(LINE_PREFIX.length() + 1).split(" ")) {
            int equals = field.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("bad field '" + field + "' in result line: " + line);
            }
            fields.put(field.substring(0, equals), field.substring(equals + 1));
        }
        Workload workload = new Workload(integer(fields, "threads"), integer(fields, "trees"),
                integer(fields, "points"), integer(fields, "queries"), number(fields, "seed"), 0);
        return new RunResult(text(fields, "backend"), workload, number(fields, "wallNanos"),
                number(fields, "cpuNanos"), number(fields, "results"), number(fields, "hits"), number(fields, "checksum"),
                number(fields, "peakResidentBytes"), Boolean.parseBoolean(text(fields, "peakSinceJvmStart")));
    }

    private static String text(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("result line has no " + name + ": " + fields);
        }
        return value;
    }

    private static long number(Map<String, String> fields, String name) {
        return Long.parseLong(text(fields, name));
    }

    private static int integer(Map<String, String> fields, String name) {
        return Integer.parseInt(text(fields, name));
    }
}
