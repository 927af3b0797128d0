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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
        List<TreeWorker> workers = new CopyOnWriteArrayList<>();
        ThreadLocal<TreeWorker> workerOfThisThread = ThreadLocal.withInitial(() -> {
            TreeWorker worker = new TreeWorker(backend.newWorkerMemory(Thread.currentThread().getName()));
            workers.add(worker);
            return worker;
        });
        // A fresh pool per round, so that every round starts its workers (and their memory) anew.
        ExecutorService pool = Executors.newFixedThreadPool(workload.threads(), namedThreads("worker-"));
        Thread collectorThread = Thread.ofPlatform().name("collector").start(collector);
        long wallNanos;
        try {
            long start = System.nanoTime();
            List<Future<?>> tasks = new ArrayList<>(workload.trees());
            for (int t = 0; t < workload.trees(); t++) {
                int tree = t;
                tasks.add(pool.submit(() -> {
                    workerOfThisThread.get().buildQueryAndFree(workload, tree, handOff);
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
            if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException(backend.name() + ": workers did not stop");
            }
            // The workers have stopped (termination orders their writes before these reads):
            // their memory can be released, and their CPU times read, from this thread.
            workers.forEach(TreeWorker::close);
        }
        if (collector.failure() != null) {
            throw new IllegalStateException(backend.name() + ": the collector failed", collector.failure());
        }
        long cpuNanos = collector.cpuNanos() + workers.stream().mapToLong(TreeWorker::cpuNanos).sum();
        return new RunResult(backend.name(), workload, wallNanos, cpuNanos, collector.results(), collector.hits(),
                collector.checksum(), -1, true);
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return task -> Thread.ofPlatform().name(prefix + next.getAndIncrement()).unstarted(task);
    }
}
