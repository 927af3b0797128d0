package dev.hedra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Platform or virtual threads: the concurrency dimension of the test matrix. */
enum ThreadKind {
    PLATFORM {
        @Override
        Thread start(String name, Runnable task) {
            Thread thread = Thread.ofPlatform().name(name).daemon(true).unstarted(task);
            thread.start();
            return thread;
        }
    },
    VIRTUAL {
        @Override
        Thread start(String name, Runnable task) {
            return Thread.ofVirtual().name(name).start(task);
        }
    };

    abstract Thread start(String name, Runnable task);

    /** A body that may throw anything; failures are carried back to the test thread. */
    interface Body {
        void run() throws Throwable;
    }

    /** Runs {@code body} on one thread of this kind and waits for it, re-throwing its failure. */
    void runOne(Duration timeout, Body body) {
        runAll(timeout, List.of(body));
    }

    /**
     * Runs each body on its own thread of this kind and waits for all, at most {@code timeout}.
     * The first failure is re-thrown (with the others suppressed); a timeout fails the test and
     * interrupts the threads, which are daemons and cannot keep the JVM alive.
     */
    void runAll(Duration timeout, List<? extends Body> bodies) {
        runAll(timeout, bodies, i -> this);
    }

    /** As {@link #runAll(Duration, List)}, with body {@code i} on a thread of kind {@code kindOf(i)}. */
    static void runAll(Duration timeout, List<? extends Body> bodies, java.util.function.IntFunction<ThreadKind> kindOf) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            Body body = bodies.get(i);
            ThreadKind kind = kindOf.apply(i);
            threads.add(kind.start(kind.name().toLowerCase() + "-worker-" + i, () -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    if (!failure.compareAndSet(null, t)) {
                        failure.get().addSuppressed(t);
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread thread : threads) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    threads.forEach(Thread::interrupt);
                    AssertionError timedOut = new AssertionError(
                            "threads did not finish within " + timeout + "; first stuck: " + thread);
                    StackTraceElement[] stack = thread.getStackTrace();
                    Throwable where = new Throwable("stack of " + thread.getName());
                    where.setStackTrace(stack);
                    timedOut.addSuppressed(where);
                    if (failure.get() != null) {
                        timedOut.addSuppressed(failure.get());
                    }
                    throw timedOut;
                }
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for workers", e);
        }
        Throwable thrown = failure.get();
        if (thrown instanceof Error error) {
            throw error;
        }
        if (thrown instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (thrown != null) {
            throw new AssertionError(thrown);
        }
    }
}
