package dev.hedra.bench.suite;

import java.util.Locale;

/**
 * What an allocator keeps resident once the program goes idle: runs a workload a few times, then
 * makes no call at all and samples the process's resident memory, above a baseline taken before
 * the first run, from the moment the last run ends to five seconds later. A long-running service
 * that goes quiet between bursts pays this, not the peak.
 *
 * <p>Usage, one allocator per JVM (as in the suite):
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -Dhedra.checks=false -cp benchmarks.jar \
 *       dev.hedra.bench.suite.IdleMemory &lt;workload&gt; &lt;allocator&gt; [rounds (3)] [scale (0.05)]
 * </pre>
 * It prints one line, {@code IDLE <workload> <allocator> t=0.0s +35.2 MiB ...}; with Hedra, run it
 * with {@code -Dhedra.backgroundPurge=false} to see the same without its timer. The baseline
 * includes nothing of the workload, so the JIT's memory for it counts, as in the suite.
 */
public final class IdleMemory {

    private static final int[] SAMPLE_MILLIS = {0, 500, 1000, 1500, 2000, 3000, 5000};

    private IdleMemory() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: IdleMemory <workload> <allocator> [rounds] [scale]");
            System.exit(2);
        }
        String workload = args[0];
        String allocator = args[1];
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        double scale = args.length > 3 ? Double.parseDouble(args[3]) : 0.05;

        long baseline = ResidentMemoryMeter.residentBytes();
        for (int round = 0; round < rounds; round++) {
            RunOne.run(workload, allocator, scale, 0);
        }
        long idleSince = System.nanoTime();
        StringBuilder line = new StringBuilder("IDLE " + workload + " " + allocator);
        for (int millis : SAMPLE_MILLIS) {
            long wait = idleSince + millis * 1_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            double mib = (ResidentMemoryMeter.residentBytes() - baseline) / (1024.0 * 1024.0);
            line.append(String.format(Locale.ROOT, " t=%.1fs %+.1f MiB", millis / 1000.0, mib));
        }
        System.out.println(line);
        System.exit(0); // a peer may keep non-daemon threads
    }
}
