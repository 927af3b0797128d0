package dev.hedra.internal;

import java.lang.ref.WeakReference;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timer behind the purge delay: memory given back waits for the delay, and without a timer it
 * went back only when a later call came by a slow path (a fresh page, a run taken or given back,
 * a new thread). A program that went idle after a burst kept it as long as it stayed idle. Each
 * allocator built with {@code backgroundPurge} on (the default) has a periodic task here that
 * does on time what those calls do: see {@link HedraAllocator#purgeExpired}.
 *
 * <p>One daemon platform thread, {@code hedra-purge}, serves every allocator in the process; it
 * starts with the first task. {@link Task#cancel} stops a task when its allocator closes. A task
 * holds its allocator weakly, but that only ends the task of an allocator dropped without being
 * closed if no live thread has used it: a thread that called it keeps its heap, and through the
 * heap the allocator, reachable while it lives (the dropped allocator's memory stays mapped in
 * any case, so close what you build). A tick that fails (an {@code munmap} the system refuses) is
 * reported once on the {@code dev.hedra} system logger and the task goes on: the memory stays
 * where it was, as it would have without the timer.
 */
final class BackgroundPurge {

    /** The shortest period: with a short delay, more ticks would cost more than they give back. */
    static final long MIN_PERIOD_MILLIS = 10;
    /** The longest: abandoned heaps are swept at least this often, whatever the delay. */
    static final long MAX_PERIOD_MILLIS = 1000;

    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private BackgroundPurge() {}

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, work -> {
            Thread thread = new Thread(work, "hedra-purge");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * The period of an allocator's ticks: half its purge delay, so that memory goes back between
     * one and one and a half delays after it was given back, within
     * [{@link #MIN_PERIOD_MILLIS}, {@link #MAX_PERIOD_MILLIS}]. With no delay memory goes back at
     * once, and the ticks only sweep abandoned heaps, once a second.
     */
    static long periodMillis(long purgeDelayMillis) {
        if (purgeDelayMillis == 0) {
            return MAX_PERIOD_MILLIS;
        }
        return Math.clamp(purgeDelayMillis / 2, MIN_PERIOD_MILLIS, MAX_PERIOD_MILLIS);
    }

    /** Tasks scheduled now, one per open allocator with a timer (and dropped ones not yet ticked). */
    static int scheduledTasks() {
        return TIMER.getQueue().size();
    }

    /** Starts {@code allocator}'s ticks. */
    static Task start(HedraAllocator allocator, long purgeDelayMillis) {
        Task task = new Task(allocator);
        long period = periodMillis(purgeDelayMillis);
        task.future = TIMER.scheduleWithFixedDelay(task, period, period, TimeUnit.MILLISECONDS);
        return task;
    }

    /** One allocator's periodic tick. */
    static final class Task implements Runnable {

        private final WeakReference<HedraAllocator> allocator;
        private volatile ScheduledFuture<?> future;
        private boolean reported;

        private Task(HedraAllocator allocator) {
            this.allocator = new WeakReference<>(allocator);
        }

        @Override
        public void run() {
            HedraAllocator target = allocator.get();
            if (target == null) {
                cancel();
                return;
            }
            try {
                target.purgeExpired();
            } catch (RuntimeException failed) {
                if (!reported) {
                    reported = true;
                    System.getLogger("dev.hedra").log(System.Logger.Level.WARNING,
                            "allocator '" + target.name() + "': a background purge failed; memory stays"
                                    + " committed until a later one succeeds", failed);
                }
            }
        }

        /** Stops the ticks; one already running finishes first (the allocator's close waits for it). */
        void cancel() {
            ScheduledFuture<?> scheduled = future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
