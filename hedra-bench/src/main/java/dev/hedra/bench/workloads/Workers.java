package dev.hedra.bench.workloads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Platform threads for a workload's parallel part: started together, joined, and the first
 * failure rethrown on the calling thread (the others are attached as suppressed).
 */
final class Workers {

    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Runs {@code task(0) .. task(count - 1)} on {@code count} new threads and waits for all. */
    static void run(String name, int count, IntConsumer task) {
        Workers workers = new Workers();
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            threads.add(workers.start(name + "-" + i, () -> task.accept(index)));
        }
        for (Thread thread : threads) {
            joinUninterruptibly(thread);
        }
        workers.rethrow();
    }

    /** Starts {@code task} on a new platform thread that records a failure here. */
    Thread start(String name, Runnable task) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                task.run();
            } catch (Throwable thrown) {
                record(thrown);
            }
        });
    }

    void record(Throwable thrown) {
        if (!failure.compareAndSet(null, thrown)) {
            failure.get().addSuppressed(thrown);
        }
    }

    boolean failed() {
        return failure.get() != null;
    }

    /** Rethrows the first recorded failure, unchecked. */
    void rethrow() {
        Throwable thrown = failure.get();
        if (thrown instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        if (thrown != null) {
            throw new IllegalStateException(thrown);
        }
    }

    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
