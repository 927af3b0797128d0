package dev.hedra.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpscLongRingTest {

    @Test
    void fillsToCapacityThenRefusesAndHandsBackInOrder() {
        var ring = new SpscLongRing(4);
        for (long value = 1; value <= 4; value++) {
            assertEquals((int) (value - 1), ring.claimSlot());
            ring.publish(value);
        }
        assertEquals(-1, ring.claimSlot());
        assertEquals(1, ring.peek());
        assertEquals(0, ring.consumerSlot());
        ring.release();
        assertEquals(0, ring.claimSlot()); // the slot just released
        ring.publish(5);

        List<Long> drained = new ArrayList<>();
        ring.drain((slot, value) -> drained.add(value));
        assertEquals(List.of(2L, 3L, 4L, 5L), drained);
        assertEquals(0, ring.peek());
    }

    @Test
    void carriesEveryValueInOrderBetweenTwoThreads() throws InterruptedException {
        var ring = new SpscLongRing(64);
        long count = 200_000;
        var producer = new Thread(() -> {
            for (long value = 1; value <= count; value++) {
                while (ring.claimSlot() < 0) {
                    Thread.yield(); // the other side may share this core
                }
                ring.publish(value);
            }
        });
        producer.start();
        for (long expected = 1; expected <= count; expected++) {
            long value;
            while ((value = ring.peek()) == 0) {
                Thread.yield();
            }
            assertEquals(expected, value);
            ring.release();
        }
        producer.join();
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new SpscLongRing(100));
    }
}
