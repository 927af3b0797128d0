package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meter sees memory that is touched, tracks live bytes and their peak, and thins its timeline. */
class ResidentMemoryMeterTest {

    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final long SIZE = 64L << 20;

    /**
     * Other memory of this JVM may shrink meanwhile (what earlier tests freed, returned late), so
     * the figures are compared with what statm said right after the touch, and an attempt during
     * which the process gave back more than it touched is repeated.
     */
    @Test
    void seesTouchedPagesAndThePeakOfLiveBytes() throws Exception {
        SuiteAllocator glibc = SuiteAllocators.byName("glibc");
        for (int attempt = 0; attempt < 5; attempt++) {
            ResidentMemoryMeter meter = ResidentMemoryMeter.start();
            assertTrue(meter.baselineBytes() > 0);
            long block = glibc.malloc(SIZE);
            long untouched = ResidentMemoryMeter.residentBytes();
            for (long page = 0; page < SIZE; page += 4096) {
                EVERYTHING.set(ValueLayout.JAVA_BYTE, block + page, (byte) 1);
            }
            long touched = ResidentMemoryMeter.residentBytes();
            meter.live(SIZE);
            meter.checkpoint();
            glibc.free(block, SIZE);
            meter.live(-SIZE);
            Thread.sleep(3 * ResidentMemoryMeter.SAMPLE_MILLIS);
            meter.stop();
            meter.stop(); // idempotent
            if (touched - untouched < SIZE / 2) {
                continue; // the process released memory while this one touched its pages: again
            }
            assertTrue(meter.peakResidentBytes() >= touched - meter.baselineBytes() - (1 << 20),
                    "peak resident " + meter.peakResidentBytes() + ", resident after the touch "
                            + (touched - meter.baselineBytes()));
            assertEquals(SIZE, meter.peakLiveBytes());
            assertEquals(0, meter.liveBytes());
            List<long[]> timeline = meter.timeline();
            assertTrue(!timeline.isEmpty());
            assertTrue(timeline.stream().anyMatch(point -> point[1] == meter.peakResidentBytes()));
            for (int i = 1; i < timeline.size(); i++) {
                assertTrue(timeline.get(i)[0] >= timeline.get(i - 1)[0], "timeline in time order");
            }
            return;
        }
        fail("statm did not see " + SIZE + " touched bytes in five attempts");
    }

    @Test
    void aLongRunIsThinnedToTheTimelineLimitKeepingThePeak() throws Exception {
        ResidentMemoryMeter meter = ResidentMemoryMeter.start();
        for (int i = 0; i < 5 * ResidentMemoryMeter.TIMELINE_POINTS; i++) {
            meter.live(1);
            meter.checkpoint(); // each new peak of live bytes takes a sample
        }
        meter.stop();
        assertTrue(meter.timeline().size() <= ResidentMemoryMeter.TIMELINE_POINTS, "" + meter.timeline().size());
        assertTrue(meter.timeline().stream().anyMatch(point -> point[1] == meter.peakResidentBytes()));
        assertEquals(5L * ResidentMemoryMeter.TIMELINE_POINTS, meter.peakLiveBytes());
    }

    /**
     * The sampler thread may add samples at any moment after the restart, so the timeline is
     * checked against the time that has passed since the restart, not for a count of samples: the
     * warm-up's sample taken 100 ms in must be gone, and every sample left is timed from the restart.
     */
    @Test
    void restartForgetsTheWarmUpsPeaksButKeepsLiveBytes() throws Exception {
        ResidentMemoryMeter meter = ResidentMemoryMeter.start();
        meter.live(5000);
        meter.checkpoint();
        Thread.sleep(100);
        meter.live(1);
        meter.checkpoint(); // a new peak: a sample 100 ms or more into the warm-up
        meter.live(-4001);
        long beforeRestart = System.nanoTime();
        meter.restart();
        assertEquals(0, meter.peakLiveBytes(), "the warm-up's peak of live bytes is forgotten");
        assertEquals(1000, meter.liveBytes(), "live bytes are the workload's, not the meter's");
        List<long[]> restarted = meter.timeline();
        long sinceRestart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeRestart);
        assertTrue(!restarted.isEmpty(), "the restart takes a sample");
        for (long[] point : restarted) {
            assertTrue(point[0] <= sinceRestart,
                    "a point at " + point[0] + " ms, " + sinceRestart + " ms after the restart");
        }
        meter.live(500);
        meter.checkpoint();
        meter.stop();
        assertEquals(1500, meter.peakLiveBytes());
        assertTrue(meter.timeline().stream().allMatch(point -> point[0] >= 0));
    }

    @Test
    void completeFillsInTheMemoryFigures() {
        ResidentMemoryMeter meter = ResidentMemoryMeter.start();
        meter.live(1000);
        meter.checkpoint();
        meter.live(-1000);
        WorkloadResult bare = new WorkloadResult("w", "a", 1.0, 10, "ns per op", 5.0, true, 0, 0, List.of(),
                java.util.Map.of());
        WorkloadResult complete = meter.complete(bare);
        assertEquals(1000, complete.peakLiveBytes());
        assertEquals(meter.peakResidentBytes(), complete.peakResidentBytes());
        assertTrue(!complete.residentTimeline().isEmpty());
        assertEquals(bare.metric(), complete.metric());
        assertTrue(!complete.capped());
        assertTrue(ResidentMemoryMeter.start().complete(bare.asCapped()).capped(), "a capped run stays capped");
    }
}
