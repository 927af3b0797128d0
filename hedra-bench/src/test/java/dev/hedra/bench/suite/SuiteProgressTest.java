package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hedra.bench.suite.SuiteProgress.Pair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuiteProgressTest {

    private final SuiteProgress progress = new SuiteProgress(List.of(
            new Pair("larson", "hedra"), new Pair("larson", "glibc"),
            new Pair("xmalloc", "hedra"), new Pair("xmalloc", "glibc")));

    @Test
    void linesAreNumberedAndAligned() {
        assertEquals("[1/4] larson  hedra ", progress.start(0));
        assertEquals("[4/4] xmalloc glibc ", progress.start(3));
    }

    @Test
    void theEstimateUsesEachWorkloadsOwnAverage() {
        progress.finished(0, 2.0);
        assertEquals(Duration.ofSeconds(6), progress.remaining(), "three more runs at the overall 2 s");
        progress.finished(1, 4.0);
        progress.finished(2, 10.0);
        assertEquals(Duration.ofSeconds(10), progress.remaining(), "xmalloc's own 10 s");
        assertEquals("ETA 10 s", progress.eta());
        progress.finished(3, 1.0);
        assertEquals("done", progress.eta());
    }

    @Test
    void minutesAndSeconds() {
        assertEquals("59 s", SuiteProgress.minutesAndSeconds(Duration.ofMillis(59_400)));
        assertEquals("2 min 05 s", SuiteProgress.minutesAndSeconds(Duration.ofSeconds(125)));
    }
}
