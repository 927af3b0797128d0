/**
 * Trace replay for the comparison suite: record a real program's heap calls, convert them to a
 * compact trace, replay the trace against any {@link dev.hedra.bench.suite.SuiteAllocator}.
 *
 * <pre>
 *   program ──LD_PRELOAD=libhedratrace.so──> recording ──TraceConverter──> name.trace.gz
 *   (src/main/c/hedra_trace.c, built by Maven)  (Recording)               (TraceWriter, TraceReader)
 *
 *   name.trace.gz ──TraceReader──> Trace ──ReplaySchedule──> per-thread programs
 *                                                   │
 *                  TraceReplay (SuiteWorkload trace-name) ──ReplayLoop──> SuiteAllocator
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.hedra.bench.trace.Recording}: the recorder's raw records, per process image,
 *       in the recorder's sequence order (which follows the program's happens-before order).
 *   <li>{@link dev.hedra.bench.trace.TraceConverter}: addresses to slots, threads to indices,
 *       calls of every C allocation function to five ops; the trace it makes is closed.
 *   <li>{@link dev.hedra.bench.trace.Trace}: the events, with its invariants: a slot is
 *       allocated when free and freed or resized when live, and every slot is free at the end.
 *   <li>{@code ReplaySchedule}: one program per recorded thread, with a wait wherever a slot's
 *       previous event is in another thread and at each window of the global order, so that no
 *       thread runs far ahead (or one program in global order).
 *   <li>{@code ReplayLoop}: the timed loop; every allocation's first and last bytes and one byte
 *       per 4 KiB page are written, every freed block's first byte is read.
 *   <li>{@link dev.hedra.bench.trace.TraceReplay}: the workload; the shipped traces are listed in
 *       {@code src/main/resources/traces/index.txt}. {@code docs/traces.md} tells how to record
 *       more.
 * </ul>
 */
package dev.hedra.bench.trace;
