package dev.hedra.bench.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.bench.suite.ResidentMemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.SuiteAllocators;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replays of synthetic and shipped traces on Hedra and glibc, in both modes. */
class TraceReplayTest {

    /** Hedra and glibc, as the suite creates them for a workload that frees across threads. */
    static List<SuiteAllocator> allocators() {
        return List.of(SuiteAllocators.byName("hedra", true), SuiteAllocators.byName("glibc", true));
    }

    /**
     * Thread 0 allocates, thread 1 frees (a producer and a consumer), thread 2 works alone; the
     * consumer's free of slot s must wait for the producer's malloc of s.
     */
    static Trace producerConsumer(int blocks) {
        var builder = new Trace.Builder("producer-consumer", "a synthetic hand-off");
        int[] consumerSlots = new int[0];
        for (int i = 0; i < blocks; i++) {
            builder.malloc(0, i, 16 + i % 200);
            builder.malloc(2, blocks + i % 10, 5000 + i); // page-crossing, own slots
            if (i % 3 == 0) {
                builder.realloc(0, i, 9000);
            }
            builder.free(1, i);
            builder.free(2, blocks + i % 10);
        }
        return builder.build();
    }

    @Test
    void scheduleWaitsOnlyWhereBlocksCrossThreads() {
        var builder = new Trace.Builder("waits", "");
        builder.malloc(0, 0, 8)   // t0 #0
                .malloc(0, 1, 8)  // t0 #1
                .malloc(1, 2, 8)  // t1 #0
                .free(1, 1)       // t1 #1: waits for t0 to have done 2
                .free(1, 0)       // t1 #2: covered by the wait before
                .free(0, 2)       // t0 #2: waits for t1 to have done 1
                .malloc(0, 3, 8)  // t0 #3
                .free(0, 3);      // t0 #4
        Trace trace = builder.build();
        var schedule = ReplaySchedule.of(trace, ReplaySchedule.Mode.PER_THREAD);
        var t0 = schedule.programs()[0];
        var t1 = schedule.programs()[1];
        assertArrayEquals(new int[] {2}, t0.waitAt());
        assertArrayEquals(new int[] {1}, t0.waitProgram());
        assertArrayEquals(new int[] {1}, t0.waitUntil());
        assertArrayEquals(new int[] {1}, t1.waitAt());
        assertArrayEquals(new int[] {0}, t1.waitProgram());
        assertArrayEquals(new int[] {2}, t1.waitUntil());
        var global = ReplaySchedule.of(trace, ReplaySchedule.Mode.GLOBAL_ORDER);
        assertEquals(1, global.programs().length);
        assertEquals(0, global.totalWaits());
        assertEquals(trace.eventCount(), global.programs()[0].eventCount());
    }

    @Test
    void scheduleKeepsThreadsWithinTwoWindowsOfTheRecordedOrder() {
        int window = ReplaySchedule.WINDOW;
        var schedule = ReplaySchedule.of(independent(3 * window), ReplaySchedule.Mode.PER_THREAD);
        var t0 = schedule.programs()[0];
        var t1 = schedule.programs()[1];
        // Global event 2 * window is thread 0's event window: it waits for thread 1's events
        // before window 1 (window / 2 of them); thread 1's first event there likewise.
        assertArrayEquals(new int[] {window}, t0.waitAt());
        assertArrayEquals(new int[] {1}, t0.waitProgram());
        assertArrayEquals(new int[] {window / 2}, t0.waitUntil());
        assertArrayEquals(new int[] {window}, t1.waitAt());
        assertArrayEquals(new int[] {0}, t1.waitProgram());
        assertArrayEquals(new int[] {window / 2}, t1.waitUntil());
    }

    /** Threads 0 and 1 alternate, each allocating and freeing its own block. */
    private static Trace independent(int events) {
        var builder = new Trace.Builder("independent", "two threads that share nothing");
        for (int i = 0; i < events / 4; i++) {
            builder.malloc(0, 0, 8).malloc(1, 1, 8).free(0, 0).free(1, 1);
        }
        return builder.build();
    }

    /**
     * A producer allocates, a consumer frees right after: one block live at a time in the
     * recording. Replayed per thread the producer may run ahead, but not by more than about two
     * windows of events.
     */
    @Test
    void perThreadReplayKeepsLiveBytesNearTheRecordedOnes() throws Exception {
        var builder = new Trace.Builder("hand-off", "one block at a time");
        int blocks = 100_000;
        for (int i = 0; i < blocks; i++) {
            builder.malloc(0, i, 64).free(1, i);
        }
        Trace trace = builder.build();
        assertEquals(64, trace.peakLiveBytes());
        for (SuiteAllocator allocator : allocators()) {
            var meter = new CountingMeter();
            TraceReplay.of(trace).withMode(ReplaySchedule.Mode.PER_THREAD).withWarmupEvents(0)
                    .run(allocator, meter, 0.0);
            assertTrue(meter.peak() <= 64L * (2 * ReplaySchedule.WINDOW + 2),
                    allocator.name() + ": peak live " + meter.peak());
            assertEquals(0, meter.live());
        }
    }

    @Test
    void replaysAHandOffOnEveryAllocatorInBothModes() throws Exception {
        Trace trace = producerConsumer(20_000);
        for (ReplaySchedule.Mode mode : ReplaySchedule.Mode.values()) {
            for (SuiteAllocator allocator : allocators()) {
                var meter = new CountingMeter();
                TraceReplay replay = TraceReplay.of(trace).withMode(mode).withWarmupEvents(trace.eventCount());
                WorkloadResult result = replay.run(allocator, meter, 0.0);
                String what = mode + " on " + allocator.name();
                assertEquals("trace-producer-consumer", result.workload());
                assertEquals(allocator.name(), result.allocator());
                assertEquals(trace.eventCount(), result.operations(), what);
                assertEquals(trace.peakLiveBytes(), result.peakLiveBytes(), what);
                assertTrue(result.metric() > 0 && result.lowerIsBetter(), what);
                assertEquals(0, meter.live(), what + ": every block freed");
                // One warm-up repetition, not metered, and one timed repetition.
                assertEquals(trace.eventCount(), meter.changes(), what + ": one meter call per timed event");
                if (mode == ReplaySchedule.Mode.GLOBAL_ORDER) {
                    assertEquals(trace.peakLiveBytes(), meter.peak(), what);
                }
            }
        }
    }

    /** The suite's meter is told to look at the trace's peak, so it sees exactly that peak. */
    @Test
    void checkpointsTheSuiteMeterAtThePeak() throws Exception {
        Trace trace = producerConsumer(5_000);
        for (SuiteAllocator allocator : allocators()) {
            ResidentMemoryMeter meter = ResidentMemoryMeter.start();
            WorkloadResult result;
            try {
                result = meter.complete(TraceReplay.of(trace).withMode(ReplaySchedule.Mode.GLOBAL_ORDER)
                        .withWarmupEvents(0).run(allocator, meter, 0.0));
            } finally {
                meter.stop();
            }
            assertEquals(trace.peakLiveBytes(), meter.peakLiveBytes(), allocator.name());
            assertEquals(trace.peakLiveBytes(), result.peakLiveBytes(), allocator.name());
            assertEquals(0, meter.liveBytes(), allocator.name());
        }
    }

    @Test
    void shipsSeveralTraces() {
        List<String> names = TraceReplay.shippedNames();
        assertTrue(names.size() >= 3, "shipped traces: " + names);
        for (TraceReplay replay : TraceReplay.shipped()) {
            assertTrue(replay.name().startsWith("trace-"), replay.name());
            assertFalse(replay.description().isBlank());
        }
    }

    /**
     * Every shipped trace replays on Hedra and glibc in both modes with the same events and peak
     * live bytes, and frees everything; in global order the meter sees exactly the trace's peak.
     */
    @Test
    void replaysEveryShippedTraceOnHedraAndGlibc() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String name : TraceReplay.shippedNames()) {
            Trace trace = TraceReader.readResource(name);
            for (ReplaySchedule.Mode mode : ReplaySchedule.Mode.values()) {
                List<Long> operations = new ArrayList<>();
                List<Long> peaks = new ArrayList<>();
                for (SuiteAllocator allocator : allocators()) {
                    var meter = new CountingMeter();
                    WorkloadResult result = TraceReplay.of(trace).withMode(mode).withWarmupEvents(0)
                            .run(allocator, meter, 0.0);
                    operations.add(result.operations());
                    peaks.add(result.peakLiveBytes());
                    String what = name + " " + mode + " on " + allocator.name();
                    if (meter.live() != 0) {
                        failures.add(what + ": " + meter.live() + " bytes left live");
                    }
                    boolean exact = mode == ReplaySchedule.Mode.GLOBAL_ORDER || trace.threadCount() == 1;
                    if (exact && meter.peak() != trace.peakLiveBytes()) {
                        failures.add(what + ": meter peak " + meter.peak() + ", trace peak "
                                + trace.peakLiveBytes());
                    }
                }
                assertEquals(List.of((long) trace.eventCount(), (long) trace.eventCount()), operations, name);
                assertEquals(List.of(trace.peakLiveBytes(), trace.peakLiveBytes()), peaks, name);
            }
        }
        assertEquals(List.of(), failures);
    }
}
