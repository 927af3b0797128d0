package dev.hedra.bench.trace;

import dev.hedra.bench.suite.MemoryMeter;
import java.util.concurrent.atomic.AtomicLong;

/** A MemoryMeter for tests: live bytes and their peak, no resident memory. */
final class CountingMeter implements MemoryMeter {
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();

    @Override
    public void live(long delta) {
        long now = live.addAndGet(delta);
        if (delta != 0) { // the warm-up reports zero deltas (see ReplayLoop.reporting)
            changes.incrementAndGet();
        }
        peak.accumulateAndGet(now, Math::max);
    }

    long live() {
        return live.get();
    }

    long peak() {
        return peak.get();
    }

    long changes() {
        return changes.get();
    }
}
