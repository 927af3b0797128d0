/**
 * Hedra's benchmarks: the same workloads on Hedra and on its peers, in one run, reported as
 * Hedra's speedup over the fastest peer.
 *
 * <pre>
 *   Compare ──> ComparisonRunner ──(JMH Runner API, one fork per pair)──> workload benchmarks
 *      │                                                                      │
 *      └── ComparisonReport (tables, CSV, JSON)          Peer ◄── PeerKind.create(slots)
 *                                                          │
 *            HedraPeer  GlibcPeer  JemallocPeer  MimallocPeer  TcmallocPeer  (long addresses)
 *            ConfinedArenaPeer  NettyPeer                               (handles kept per slot)
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.hedra.bench.Peer} is the one interface the workloads call: allocate into a
 *       slot, free a slot. Native peers call their library through FFM critical downcalls held
 *       in {@code static final} method handles ({@code NativeLibrary}); jemalloc must be
 *       preloaded, so its forks start through a wrapper script ({@code JemallocPreload}).
 *   <li>Workloads, one JMH benchmark each, all extending {@link dev.hedra.bench.AllocatorBenchmark}
 *       (the {@code allocator} parameter and the fork arguments): a = {@code SinglePairBenchmark},
 *       b and c = {@code MixedBatchBenchmark} on one and two threads, d =
 *       {@code HandOffBenchmark} over an {@code SpscLongRing}.
 *   <li>Inputs are generated before measuring from fixed seeds ({@code SeededInputs}); nothing is
 *       set up per invocation.
 * </ul>
 *
 * <p>Invariants every workload keeps, so that peers do the same work: each block is allocated,
 * written once through {@code NativeMemory} and freed exactly once; a fork measures one peer, so
 * every call through {@code Peer} has a single receiver class; the blocks live between two
 * iterations are bounded (none for a, b, c; at most the ring's capacity for d, freed at the
 * iteration's end).
 */
package dev.hedra.bench;
