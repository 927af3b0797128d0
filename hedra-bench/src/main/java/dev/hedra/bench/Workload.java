package dev.hedra.bench;

import java.util.Optional;
import java.util.regex.Pattern;

/** The comparison's workloads, the JMH benchmark that measures each, and Hedra's speed target. */
enum Workload {
    A("a", "malloc 64 B, write, free", SinglePairBenchmark.class, "mallocWriteFree", 3.0),
    B("b", "1,024 mixed 8 B-1 KiB, shuffled frees", MixedBatchBenchmark.class, "oneThread", 3.0),
    C("c", "b on 2 threads", MixedBatchBenchmark.class, "twoThreads", 3.0),
    D("d", "64 B producer -> consumer thread", HandOffBenchmark.class, "handOff", 2.0);

    private final String label;
    private final String description;
    private final Class<? extends AllocatorBenchmark> benchmarkClass;
    private final String benchmarkMethod;
    private final double targetSpeedup;

    Workload(String label, String description, Class<? extends AllocatorBenchmark> benchmarkClass,
            String benchmarkMethod, double targetSpeedup) {
        this.label = label;
        this.description = description;
        this.benchmarkClass = benchmarkClass;
        this.benchmarkMethod = benchmarkMethod;
        this.targetSpeedup = targetSpeedup;
    }

    /** The letter used by {@code --workloads}. */
    String label() {
        return label;
    }

    String description() {
        return description;
    }

    /** The JMH benchmark name, e.g. {@code MixedBatchBenchmark.oneThread} (a group name for d). */
    String benchmarkName() {
        return benchmarkClass.getSimpleName() + "." + benchmarkMethod;
    }

    /** A JMH include pattern that matches this benchmark and no other. */
    String includePattern() {
        return "^" + Pattern.quote(benchmarkClass.getName() + "." + benchmarkMethod) + "$";
    }

    /** How many times faster than the fastest peer Hedra should be (peer time / Hedra time). */
    double targetSpeedup() {
        return targetSpeedup;
    }

    /** Says why {@code peer} cannot run this workload, or nothing when it can. */
    Optional<String> unsupportedReason(PeerKind peer) {
        if (this == D && peer == PeerKind.ARENA) {
            return Optional.of("a confined arena can be closed only by the thread that opened it");
        }
        return Optional.empty();
    }

    void requireSupported(PeerKind peer) {
        unsupportedReason(peer).ifPresent(reason -> {
            throw new UnsupportedOperationException(
                    "workload " + label + " cannot run " + peer.peerName() + ": " + reason);
        });
    }

    /** Returns the workload labelled {@code label}, e.g. {@code "b"}. */
    static Workload byLabel(String label) {
        for (Workload workload : values()) {
            if (workload.label.equals(label)) {
                return workload;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + label + "'; known: a,b,c,d");
    }
}
