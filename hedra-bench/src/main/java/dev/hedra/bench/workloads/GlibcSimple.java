package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;

/**
 * glibc's {@code bench-malloc-simple}, as mimalloc-bench runs it: for blocks of 16, 32 and 64
 * bytes, allocate a batch of 25, 100, 400 or 1,600 blocks, writing each in full, then free the
 * batch, the first half in allocation order and the second half in reverse; repeated on the
 * calling thread, on a second thread, and on the calling thread again (in glibc: the main arena
 * single-threaded, a thread arena, the main arena once the process has threads).
 */
public final class GlibcSimple extends PortedWorkload {

    private static final long[] SIZES = {16, 32, 64};
    private static final int[] BATCHES = {25, 100, 400, 1600};
    private static final long BLOCKS_PER_BATCH_SIZE = 2_000_000; // per scenario, size and batch size, at scale 1.0

    public GlibcSimple() {
        super("glibc-simple", "glibc bench-malloc-simple: single-threaded batches of 25-1600 blocks of 16, 32"
                + " and 64 B, each written in full, freed half in allocation order and half in reverse; run on"
                + " the calling thread, a second thread, then the calling thread again; stresses the fast"
                + " paths.", false);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long blocks = scaled(BLOCKS_PER_BATCH_SIZE, scale, 1_600);
        TimeLimit limit = TimeLimit.forScale(scale);
        long[] operations = new long[1];
        long start = System.nanoTime();
        for (int scenario = 0; scenario < 3 && !limit.passed(); scenario++) {
            Runnable all = () -> {
                long done = 0;
                for (long size : SIZES) {
                    for (int batch : BATCHES) {
                        done += batches(allocator, meter, size, batch, blocks / batch, limit);
                    }
                }
                synchronized (operations) {
                    operations[0] += done;
                }
            };
            if (scenario == 1) {
                Workers.run(name(), 1, thread -> all.run());
            } else {
                all.run();
            }
        }
        long nanos = System.nanoTime() - start;
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations[0]);
        return limit.flag(measured, operations[0] + " operations");
    }

    private static long batches(SuiteAllocator allocator, MemoryMeter meter, long size, int batch, long repeats,
            TimeLimit limit) {
        long[] addresses = new long[batch];
        long done = 0;
        for (long repeat = 0; repeat < repeats; repeat++) {
            for (int i = 0; i < batch; i++) {
                long address = allocator.malloc(size);
                Blocks.fillPattern(address, size, address);
                addresses[i] = address;
            }
            if (repeat == 0) {
                meter.live(batch * size); // the same live bytes every repeat: reported at the first
                PortedWorkload.checkpoint(meter);
            }
            int half = batch / 2;
            for (int i = 0; i < half; i++) {
                free(allocator, addresses[i], size);
            }
            for (int i = batch - 1; i >= half; i--) {
                free(allocator, addresses[i], size);
            }
            if (repeat == 0) {
                meter.live(-batch * size);
            }
            done += 2L * batch;
            if ((repeat & 63) == 63 && limit.passed()) {
                break;
            }
        }
        return done;
    }

    private static void free(SuiteAllocator allocator, long address, long size) {
        Blocks.checkPattern(address, Math.min(size, Long.BYTES), address);
        Blocks.checkPattern(address + size - Long.BYTES, Long.BYTES, address + size - Long.BYTES);
        allocator.free(address, size);
    }
}
