/**
 * The comparison suite's workloads: Java re-implementations, from their published descriptions,
 * of the allocator benchmarks the field compares allocators with (mimalloc-bench's larson,
 * xmalloc-test, mstress, rptest, alloc-test, glibc-simple, glibc-thread, cache-scratch,
 * cache-thrash, malloc-large), and a per-call latency profile. Each is a
 * {@link dev.hedra.bench.suite.SuiteWorkload}; {@link dev.hedra.bench.suite.SuiteWorkloads} lists them.
 *
 * <p>What they share:
 *
 * <ul>
 *   <li><b>Determinism.</b> Each thread draws from its own {@link dev.hedra.bench.workloads.SplitMix64}
 *       seeded by the workload and the thread's index, so a thread makes the same requests on every
 *       run and every allocator (how threads interleave is up to the machine).
 *   <li><b>Every block is used.</b> A block is written when it is allocated (at least its first
 *       and last bytes and one byte per 4 KiB page, see {@code Blocks}) and checked before it is
 *       freed; some workloads write every byte, as their originals do. A check that fails throws.
 *   <li><b>Scale.</b> At scale 1.0 a run takes about 1-3 s on two cores; the work (not the
 *       structure: thread counts, sizes, working sets) is proportional to the scale. A time cap
 *       of 10 s per unit of scale stops a peer that is far slower, with a note on stderr.
 *   <li><b>Two cores.</b> Where the original starts one thread per core or more, these start 2 to
 *       4; each description says how many.
 *   <li><b>Memory.</b> Workloads report live requested bytes to the meter in batches (a field
 *       update per block, an atomic add per batch) and call a checkpoint where live bytes peak.
 *       The headline metric is wall time over allocations plus frees unless the workload says
 *       otherwise.
 * </ul>
 */
package dev.hedra.bench.workloads;
