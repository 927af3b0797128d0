package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The counter's sum is exact once the adding threads are done, with threads sharing cells. (That
 * an add is atomic is by construction, a {@code getAndAdd}: a run this short rarely preempts a
 * thread between the read and the write of a plain add, so this test would not catch one.)
 */
class LiveByteCounterTest {

    @Test
    void sumsWhatEveryThreadAdded() throws InterruptedException {
        LiveByteCounter counter = new LiveByteCounter();
        int threads = 64; // twice the cells: threads share them
        int adds = 100_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long step = t + 1;
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < adds; i++) {
                    counter.add(step);
                    counter.add(i % 2 == 0 ? -1 : 1); // freed and allocated: nets to zero
                }
            }));
        }
        start.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        long expected = (long) adds * threads * (threads + 1) / 2;
        assertEquals(expected, counter.sum());
    }

    @Test
    void startsAtZeroAndGoesNegative() {
        LiveByteCounter counter = new LiveByteCounter();
        assertEquals(0, counter.sum());
        counter.add(-5);
        assertEquals(-5, counter.sum());
    }
}
