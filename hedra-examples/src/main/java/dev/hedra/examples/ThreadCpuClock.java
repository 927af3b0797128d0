package dev.hedra.examples;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the calling thread. Next to wall time it shows the work itself: on a busy machine
 * a thread waiting for a core loses wall time but no CPU time.
 */
final class ThreadCpuClock {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpuClock() {}

    /** Nanoseconds of CPU the calling thread has used, or 0 where the JVM cannot tell. */
    static long now() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }
}
