package dev.hedra.examples;

import java.util.concurrent.BlockingQueue;

/**
 * The consumer thread: takes result blocks from the workers, sums their checksums and frees
 * each one on this thread, which did not allocate it. Stops at {@link #END}.
 *
 * <p>If reading or freeing a block fails, the collector remembers the first failure and goes on
 * taking (without freeing) until {@link #END}, so that workers never block on a full queue.
 */
final class Collector implements Runnable {

    /** Not an address: no allocator returns 0. */
    static final Long END = 0L;

    private final Backend backend;
    private final BlockingQueue<Long> fromWorkers;
    // Written by the collector thread, read by the runner after join(), which orders them.
    private long checksum;
    private long results;
    private long hits;
    private long cpuNanos;
    private Throwable failure;

    Collector(Backend backend, BlockingQueue<Long> fromWorkers) {
        this.backend = backend;
        this.fromWorkers = fromWorkers;
    }

    @Override
    public void run() {
        long cpuStart = ThreadCpuClock.now();
        try {
            for (long block = fromWorkers.take(); block != END; block = fromWorkers.take()) {
                if (failure == null) {
                    consume(block);
                }
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt(); // the runner gave up after a worker failed
        }
        cpuNanos = ThreadCpuClock.now() - cpuStart;
    }

    private void consume(long block) {
        try {
            checksum += ResultBlock.checksum(block);
            hits += ResultBlock.hitCount(block);
            results++;
            backend.freeResultRemotely(block, ResultBlock.byteSize(block));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    long checksum() {
        return checksum;
    }

    long results() {
        return results;
    }

    long hits() {
        return hits;
    }

    long cpuNanos() {
        return cpuNanos;
    }

    Throwable failure() {
        return failure;
    }
}
