package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;

/**
 * One thread's report of live bytes to the meter, batched so that the hot loop pays a field
 * update, not an atomic: the meter hears of changes every {@code batch} events and at
 * {@link #flush()}. Owner thread only.
 */
final class LiveBytes {

    private final MemoryMeter meter;
    private final int batch;
    private long pending;
    private int events;

    LiveBytes(MemoryMeter meter, int batch) {
        this.meter = meter;
        this.batch = batch;
    }

    void allocated(long size) {
        pending += size;
        if (++events >= batch) {
            flush();
        }
    }

    void freed(long size) {
        pending -= size;
        if (++events >= batch) {
            flush();
        }
    }

    void flush() {
        if (pending != 0) {
            meter.live(pending);
            pending = 0;
        }
        events = 0;
    }
}
