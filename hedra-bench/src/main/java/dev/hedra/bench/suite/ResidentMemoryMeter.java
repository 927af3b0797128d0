package dev.hedra.bench.suite;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The suite's {@link MemoryMeter}: resident memory of the process from {@code /proc/self/statm},
 * relative to a baseline read when the meter starts, sampled every {@value #SAMPLE_MILLIS} ms by a
 * daemon thread; live requested bytes as the workload reports them.
 *
 * <p>Live bytes go into a {@link LiveByteCounter} (cheap from any thread; workloads may also
 * batch their reports). The peak of live bytes is what the sampler sees at each tick, or what a
 * {@link #checkpoint()} sees: a workload calls it where it knows live bytes are at a peak (after
 * filling its working set), and a new peak of live bytes also samples resident memory at once.
 *
 * <p>Resident bytes include everything the process maps: run the JVM with a fixed, pre-touched
 * heap ({@code -Xms512m -Xmx512m -XX:+AlwaysPreTouch}) so that the heap is part of the baseline
 * and does not grow during the run.
 */
public final class ResidentMemoryMeter implements MemoryMeter, AutoCloseable {

    /** How often the sampler reads {@code /proc/self/statm}. */
    public static final long SAMPLE_MILLIS = 5;

    /** The most points {@link #timeline()} returns; longer runs are thinned, keeping each bucket's peak. */
    public static final int TIMELINE_POINTS = 500;

    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE_SIZE = pageSize();

    private final long baseline;
    private long startNanos = System.nanoTime(); // under this object's lock after construction
    private final LiveByteCounter live = new LiveByteCounter(); // any thread
    private final FileChannel statm; // under this object's lock
    private final ByteBuffer statmBuffer = ByteBuffer.allocate(256); // under this object's lock
    private final Thread sampler;
    private volatile boolean stopped;

    // Under this object's lock: the peaks and the samples.
    private long peakResident;
    private long peakLive;
    private long[] sampleMillis = new long[1024];
    private long[] sampleResident = new long[1024];
    private int samples;

    private ResidentMemoryMeter(long baselineBytes) {
        try {
            statm = FileChannel.open(STATM, StandardOpenOption.READ);
        } catch (IOException failure) {
            throw new UncheckedIOException("cannot read " + STATM + " (the suite measures memory on Linux)", failure);
        }
        baseline = baselineBytes >= 0 ? baselineBytes : readResident();
        sampler = Thread.ofPlatform().daemon().name("resident-memory-sampler").unstarted(this::sampleUntilStopped);
    }

    /** Reads the baseline now and starts sampling. */
    public static ResidentMemoryMeter start() {
        return start(-1);
    }

    /**
     * Starts sampling against a baseline read earlier with {@link #residentBytes()}: {@link RunOne}
     * reads it before its warm-up, so that memory an allocator keeps cached from the warm-up
     * counts as the allocator's.
     */
    public static ResidentMemoryMeter start(long baselineBytes) {
        ResidentMemoryMeter meter = new ResidentMemoryMeter(baselineBytes);
        meter.sampler.start();
        return meter;
    }

    /** Resident bytes of this process now, from {@code /proc/self/statm}. */
    public static long residentBytes() {
        try (FileChannel channel = FileChannel.open(STATM, StandardOpenOption.READ)) {
            return parseResidentPages(channel, ByteBuffer.allocate(256)) * PAGE_SIZE;
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    @Override
    public void live(long delta) {
        live.add(delta);
    }

    /**
     * Looks at live bytes now (call it where they peak); a new peak also samples resident memory.
     * Costs a read of {@code /proc/self/statm} when it finds a new peak, so call it once per phase
     * or batch, not per block.
     */
    public void checkpoint() {
        long now = live.sum();
        synchronized (this) {
            if (now > peakLive && !stopped) {
                peakLive = now;
                sample();
            }
        }
    }

    /**
     * Forgets the peaks and the timeline so far, keeping the baseline and the live bytes: for a
     * workload that warms up under the meter and must not count the warm-up's transient memory
     * (the JIT compilers' among it), as a runner's warm-up before the meter starts is not counted.
     */
    public void restart() {
        synchronized (this) {
            peakResident = 0;
            peakLive = 0;
            samples = 0;
            startNanos = System.nanoTime();
            sample();
        }
    }

    /** Live bytes as reported so far (0 after a workload that freed everything). */
    public long liveBytes() {
        return live.sum();
    }

    /** The baseline: resident bytes when the meter started. */
    public long baselineBytes() {
        return baseline;
    }

    public synchronized long peakResidentBytes() {
        return peakResident;
    }

    public synchronized long peakLiveBytes() {
        return peakLive;
    }

    /**
     * (elapsed ms, resident bytes above the baseline) pairs, at most {@value #TIMELINE_POINTS}: when
     * there are more samples, each point is the highest of a run of consecutive samples.
     */
    public synchronized List<long[]> timeline() {
        int perPoint = Math.max(1, (samples + TIMELINE_POINTS - 1) / TIMELINE_POINTS);
        List<long[]> points = new ArrayList<>(Math.min(samples, TIMELINE_POINTS));
        for (int first = 0; first < samples; first += perPoint) {
            int highest = first;
            for (int i = first + 1; i < Math.min(samples, first + perPoint); i++) {
                if (sampleResident[i] > sampleResident[highest]) {
                    highest = i;
                }
            }
            points.add(new long[] {sampleMillis[highest], sampleResident[highest]});
        }
        return points;
    }

    /** Stops sampling after a last sample; the figures stay readable. Idempotent. */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            peakLive = Math.max(peakLive, live.sum());
            sample();
            stopped = true;
        }
        sampler.interrupt();
        try {
            sampler.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            try {
                statm.close();
            } catch (IOException ignored) {
                // read-only; nothing to lose
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Stops the meter and returns {@code result} with its memory figures: peak resident bytes,
     * the timeline, and the higher of the workload's and the meter's peak live bytes.
     */
    public WorkloadResult complete(WorkloadResult result) {
        stop();
        synchronized (this) {
            return new WorkloadResult(result.workload(), result.allocator(), result.seconds(), result.operations(),
                    result.metricName(), result.metric(), result.lowerIsBetter(), peakResident,
                    Math.max(result.peakLiveBytes(), peakLive), timeline(), result.latencyNanos(), result.capped());
        }
    }

    private void sampleUntilStopped() {
        while (!stopped) {
            synchronized (this) {
                if (stopped) {
                    return;
                }
                peakLive = Math.max(peakLive, live.sum());
                sample();
            }
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException interrupted) {
                return; // stop() interrupts
            }
        }
    }

    // Caller holds this object's lock.
    private void sample() {
        // Never below 0: the JVM may give back memory it held at the baseline, and a negative
        // sample would leave the peak (0 at start) matching no point of the timeline.
        long resident = Math.max(0, readResident() - baseline);
        peakResident = Math.max(peakResident, resident);
        if (samples == sampleMillis.length) {
            sampleMillis = Arrays.copyOf(sampleMillis, samples * 2);
            sampleResident = Arrays.copyOf(sampleResident, samples * 2);
        }
        sampleMillis[samples] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        sampleResident[samples] = resident;
        samples++;
    }

    private long readResident() {
        try {
            return parseResidentPages(statm, statmBuffer) * PAGE_SIZE;
        } catch (IOException failure) {
            throw new UncheckedIOException("cannot read " + STATM, failure);
        }
    }

    /** {@code statm} is "size resident shared text lib data dt" in pages; a positioned read regenerates it. */
    private static long parseResidentPages(FileChannel channel, ByteBuffer buffer) throws IOException {
        buffer.clear();
        while (channel.read(buffer, buffer.position()) > 0) {
            // procfs hands out the whole line at once; loop for form's sake
        }
        long pages = 0;
        int field = 0;
        for (int i = 0; i < buffer.position(); i++) {
            byte b = buffer.get(i);
            if (b == ' ') {
                if (++field > 1) {
                    break;
                }
            } else if (field == 1) {
                pages = pages * 10 + (b - '0');
            }
        }
        return pages;
    }

    private static long pageSize() {
        Linker linker = Linker.nativeLinker();
        MethodHandle getpagesize = linker.downcallHandle(
                linker.defaultLookup().find("getpagesize").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        try {
            return (int) getpagesize.invokeExact();
        } catch (Throwable failure) {
            throw new IllegalStateException("getpagesize failed", failure);
        }
    }
}
