package dev.hedra.bench;

import java.util.Optional;

/**
 * One (workload, allocator) result: the JMH score (average nanoseconds per allocation, or per
 * block handed off) with its 99.9% error, and the Java heap bytes allocated per operation; or why
 * there is none.
 */
record Measurement(
        Workload workload,
        PeerKind peer,
        double nanosPerOperation,
        double error,
        double heapBytesPerOperation,
        Status status,
        Optional<String> problem) {

    enum Status { MEASURED, FAILED, UNSUPPORTED }

    static Measurement measured(
            Workload workload, PeerKind peer, double nanos, double error, double heapBytes) {
        return new Measurement(workload, peer, nanos, error, heapBytes, Status.MEASURED, Optional.empty());
    }

    static Measurement failed(Workload workload, PeerKind peer, String problem) {
        return new Measurement(
                workload, peer, Double.NaN, Double.NaN, Double.NaN, Status.FAILED, Optional.of(problem));
    }

    static Measurement unsupported(Workload workload, PeerKind peer, String reason) {
        return new Measurement(workload, peer, Double.NaN, Double.NaN, Double.NaN, Status.UNSUPPORTED,
                Optional.of(reason));
    }

    boolean isMeasured() {
        return status == Status.MEASURED;
    }
}
