package dev.hedra.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the workload on one back end: a fixed pool of workers, one task per tree, and one
 * collector thread freeing the results the workers hand it.
 *
 * <pre>
 *   worker-0 --+  per tree: build it, query it,          +--&gt; BlockingQueue&lt;Long&gt; --&gt; collector:
 *   worker-1 --+  put the result block's address, ------+     (addresses)             checksum,
 *   ...        |  free the tree                                                        free the block
 * </pre>
 *
 * The queue is bounded, so a slow collector holds the workers back instead of letting results
 * pile up: the memory a run holds stays proportional to the threads, not to the trees.
 */
final class WorkloadRunner {

    /**
     * Result blocks in flight at most. The collector reads a block much faster than a worker
     * fills one, so the queue is nearly always empty; the bound only matters if it stalls.
     */
    static final int HAND_OFF_CAPACITY = 64;

    private WorkloadRunner() {}

    /**
     * Runs the warm-up round, then the measured round with the peak resident memory reset just
     * before it.
     */
    static RunResult warmUpAndMeasure(Backend backend, Workload workload) throws InterruptedException {
        if (workload.warmupTrees() > 0) {
            run(backend, workload.withTrees(workload.warmupTrees()));
        }
        // The measured round should not pay for collecting the warm-up's garbage.
        System.gc();
        boolean peakReset = ResidentMemory.resetPeak();
        RunResult measured = run(backend, workload);
        return new RunResult(measured.backend(), measured.workload(), measured.wallNanos(), measured.cpuNanos(),
                measured.results(), measured.hits(), measured.checksum(), ResidentMemory.peakBytes(), !peakReset);
    }

    /** Runs one round; the peak memory is left unknown. */
    static RunResult run(Backend backend, Workload workload) throws InterruptedException {
        BlockingQueue<Long> handOff = new ArrayBlockingQueue<>(HAND_OFF_CAPACITY);
        Collector collector = new Collector(backend, handOff);
        WorkerThreads threads = new WorkerThreads(backend);
        // A fresh pool per round, so that every round starts its workers (and their memory) anew.
        ExecutorService pool = Executors.newFixedThreadPool(workload.threads(), threads);
        Thread collectorThread = Thread.ofPlatform().name("collector").start(collector);
        long wallNanos;
        try {
            long start = System.nanoTime();
            List<Future<?>> tasks = new ArrayList<>(workload.trees());
            for (int t = 0; t < workload.trees(); t++) {
                int tree = t;
                tasks.add(pool.submit(() -> {
                    threads.workerOfThisThread().buildQueryAndFree(workload, tree, handOff);
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
            handOff.put(Collector.END);
            collectorThread.join();
            wallNanos = System.nanoTime() - start;
        } catch (ExecutionException failed) {
            pool.shutdownNow();
            collectorThread.interrupt();
            throw new IllegalStateException(backend.name() + ": a worker failed", failed.getCause());
        } finally {
            pool.shutdown();
            threads.joinAll(); // each worker closes its own memory as its thread ends
        }
        if (collector.failure() != null) {
            throw new IllegalStateException(backend.name() + ": the collector failed", collector.failure());
        }
        if (threads.closeFailure() != null) {
            throw new IllegalStateException(backend.name() + ": a worker's memory did not close", threads.closeFailure());
        }
        return new RunResult(backend.name(), workload, wallNanos, collector.cpuNanos() + threads.cpuNanos(),
                collector.results(), collector.hits(), collector.checksum(), -1, true);
    }

    /**
     * Makes the pool's threads, gives each its {@link TreeWorker} on its first task, and closes
     * that worker on the thread itself as it ends: memory owned by a thread (a confined arena, a
     * pool) may only be released by it.
     */
    private static final class WorkerThreads implements ThreadFactory {
        private final Backend backend;
        private final ThreadLocal<TreeWorker> worker = new ThreadLocal<>();
        private final List<Thread> started = new CopyOnWriteArrayList<>(); // the pool adds
        private final AtomicInteger nextIndex = new AtomicInteger();
        private final List<TreeWorker> workers = new CopyOnWriteArrayList<>(); // workers add
        private final AtomicReference<Throwable> closeFailure = new AtomicReference<>();

        WorkerThreads(Backend backend) {
            this.backend = backend;
        }

        @Override
        public Thread newThread(Runnable poolLoop) {
            Thread thread = Thread.ofPlatform().name("worker-" + nextIndex.getAndIncrement()).unstarted(() -> {
                try {
                    poolLoop.run(); // returns once the pool is shut down and idle
                } finally {
                    closeThisThreadsWorker();
                }
            });
            started.add(thread);
            return thread;
        }

        /** Worker thread: its worker, created on its first task. */
        TreeWorker workerOfThisThread() {
            TreeWorker mine = worker.get();
            if (mine == null) {
                mine = new TreeWorker(backend.newWorkerMemory(Thread.currentThread().getName()));
                worker.set(mine);
                workers.add(mine);
            }
            return mine;
        }

        private void closeThisThreadsWorker() {
            TreeWorker mine = worker.get();
            if (mine != null) {
                try {
                    mine.close();
                } catch (RuntimeException | Error e) {
                    closeFailure.compareAndSet(null, e);
                }
            }
        }

        /** Waits for every thread of the shut-down pool to end, its worker closed. */
        void joinAll() throws InterruptedException {
            for (Thread thread : started) {
                thread.join();
            }
        }

        /** After {@link #joinAll()}, which orders the workers' writes before this read. */
        long cpuNanos() {
            return workers.stream().mapToLong(TreeWorker::cpuNanos).sum();
        }

        Throwable closeFailure() {
            return closeFailure.get();
        }
    }
}
