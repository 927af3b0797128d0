package dev.hedra.bench.suite;

/**
 * One workload of the comparison suite: a Java port of an allocator benchmark, or the replay of
 * a recorded trace. It runs once per fresh JVM (see {@link RunOne}), so that resident memory
 * belongs to one allocator only.
 */
public interface SuiteWorkload {

    /** Short name used on the command line and in reports, e.g. {@code larson}. */
    String name();

    /** One sentence: what it does and what it stresses. */
    String description();

    /** Whether the default selection runs it (the full set runs everything). */
    default boolean inDefaultSelection() {
        return true;
    }

    /**
     * Runs the workload against {@code allocator}, reporting live bytes to {@code meter} as they
     * change (or at least at their peak), and returns what it measured.
     *
     * @param scale 1.0 for the default size of the run; the runner shrinks or grows it
     */
    WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) throws Exception;
}
