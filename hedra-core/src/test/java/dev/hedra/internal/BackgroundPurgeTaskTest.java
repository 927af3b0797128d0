package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hedra.NativeAllocator;
import org.junit.jupiter.api.Test;

/** {@link BackgroundPurge}'s schedule: the period follows the delay, and a closed allocator's task goes. */
class BackgroundPurgeTaskTest {

    private static Config config(String name, long purgeDelayMillis, boolean timer) {
        Config defaults = Config.defaults(name);
        return new Config(name, defaults.memoryLimit(), defaults.minimumAlignment(), defaults.classesPerDoubling(),
                defaults.largestSmallSize(), defaults.slabPageSize(), defaults.largestSlabPageSize(),
                defaults.reservationSize(), defaults.emptyPageBudget(), purgeDelayMillis, defaults.hugePages(),
                false, timer);
    }

    @Test
    void ticksEveryHalfDelayWithinBounds() {
        assertEquals(500, BackgroundPurge.periodMillis(1000));
        assertEquals(BackgroundPurge.MIN_PERIOD_MILLIS, BackgroundPurge.periodMillis(1));
        assertEquals(BackgroundPurge.MAX_PERIOD_MILLIS, BackgroundPurge.periodMillis(3_600_000));
        assertEquals(BackgroundPurge.MAX_PERIOD_MILLIS, BackgroundPurge.periodMillis(0)); // sweeps only
    }

    @Test
    void closingAnAllocatorCancelsItsTask() {
        int before = BackgroundPurge.scheduledTasks();
        NativeAllocator timed = HedraAllocator.create(config("timed", 1000, true));
        assertEquals(before + 1, BackgroundPurge.scheduledTasks());
        NativeAllocator untimed = HedraAllocator.create(config("untimed", 1000, false));
        assertEquals(before + 1, BackgroundPurge.scheduledTasks());
        timed.close();
        untimed.close();
        assertEquals(before, BackgroundPurge.scheduledTasks());
    }

    @Test
    void aTickAfterCloseDoesNothing() {
        HedraAllocator hedra = (HedraAllocator) HedraAllocator.create(config("closed", 1000, true));
        hedra.free(hedra.malloc(100));
        hedra.close();
        hedra.purgeExpired(); // returns: the tick never touches unmapped memory
    }
}
