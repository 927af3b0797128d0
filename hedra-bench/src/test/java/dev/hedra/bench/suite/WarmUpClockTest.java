package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The warm-up clock's rule, on a fake clock and fake compiler time: rounds of 10 ms. */
class WarmUpClockTest {

    private static final long MS = 1_000_000L;
    private static final long LEAST = 600 * MS;

    private long time = 5_000 * MS; // any start
    private long jit = 1_234;

    private WarmUpClock clock() {
        return new WarmUpClock(LEAST, () -> time, () -> jit);
    }

    /** Runs 10 ms rounds, the compilers busy for {@code jitPerRound} ms in each, until done. */
    private long roundsUntilDone(WarmUpClock clock, long jitPerRound) {
        long rounds = 0;
        do {
            time += 10 * MS;
            jit += jitPerRound;
            rounds++;
        } while (!clock.done() && rounds < 10_000);
        return rounds;
    }

    @Test
    void quietCompilersEndTheWarmUpAtItsLeastTime() {
        WarmUpClock clock = clock();
        assertEquals(60, roundsUntilDone(clock, 0));
        assertEquals(0.6, clock.seconds(), 1e-9);
        assertFalse(clock.pastMax());
    }

    @Test
    void busyCompilersKeepItGoingUntilTheCap() {
        WarmUpClock clock = clock();
        // 1 ms of compiling per 10 ms round is a tenth of every window: not quiet.
        assertEquals(WarmUpClock.MAX_NANOS / (10 * MS), roundsUntilDone(clock, 1));
        assertEquals(WarmUpClock.MAX_NANOS / 1e9, clock.seconds(), 1e-9);
        assertTrue(clock.pastMax());
    }

    @Test
    void itEndsAtTheFirstQuietWindowAfterTheCompilersCalmDown() {
        WarmUpClock clock = clock();
        for (int round = 0; round < 100; round++) { // the first second: busy
            time += 10 * MS;
            jit += 5;
            assertFalse(clock.done(), "round " + round);
        }
        // From here on the compilers take 0.1 ms per 10 ms round (a hundredth): the warm-up ends
        // once a whole window has been quiet. Windows close at 250, 500, 750 and 1000 ms, so the
        // window from 1000 to 1250 ms is the first quiet one.
        long rounds = 0;
        boolean done = false;
        while (!done) {
            time += 10 * MS;
            jit += rounds % 10 == 0 ? 1 : 0;
            rounds++;
            done = clock.done();
        }
        assertEquals(25, rounds);
        assertEquals(1.25, clock.seconds(), 1e-9);
    }

    @Test
    void aJvmThatReportsNoCompilerTimeCountsAsQuiet() {
        WarmUpClock clock = new WarmUpClock(LEAST, () -> time, () -> 0);
        assertEquals(60, roundsUntilDone(clock, 0));
    }

    @Test
    void noLeastTimeMeansDoneOnceQuiet() {
        WarmUpClock clock = new WarmUpClock(0, () -> time, () -> jit);
        time += 10 * MS;
        assertFalse(clock.done(), "no window has closed yet, so the compilers are not known to be quiet");
        time += 300 * MS;
        assertTrue(clock.done());
    }

    @Test
    void theCompilerThreadsAreFoundInProc() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc here");
        // If the JVM renamed its compiler threads, the clock would fall back to the JVM's count of
        // finished compilations, which let a warm-up end in the middle of a long C2 compilation.
        assertTrue(WarmUpClock.compilerThreadTicks() >= 0, "no thread named C1/C2 CompilerThre... in /proc");
        assertTrue(WarmUpClock.jitMillis() >= 0);
    }
}
