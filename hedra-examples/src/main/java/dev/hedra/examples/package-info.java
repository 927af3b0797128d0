/**
 * Runnable examples of Hedra in the programs it was made for. Run them with
 * {@code scripts/example}.
 *
 * <h2>The k-d tree example</h2>
 * Geometry tools on a fixed thread pool: each task builds a k-d tree of many small nodes in
 * native memory, queries it, hands its results to another thread that frees them there, and
 * frees the tree; timed on each memory back end.
 * <pre>
 *   KdTreeExample     main: a child JVM per back end, then the table
 *   Options           the command line, checked once
 *   WorkloadRunner    one round: a fixed pool of TreeWorkers, one Collector, a bounded queue
 *   TreeWorker        a pool thread's task: build, query, hand off the results, free the tree
 *   Collector         the consumer thread: checksums and frees result blocks (cross-thread)
 *   KdTree            the tree: 40-byte nodes linked by raw addresses, no object per node
 *   RangeQuery        a query box;  HitList: one tree's hits, gathered on the Java heap
 *   ResultBlock       the native block of one tree's hits: layout and checksum
 *   Backend           where nodes and results come from; BackendKind names the six:
 *                     HedraHeapPerTree, HedraNodeByNode, HedraPoolPerWorker, HedraArenaPerTree,
 *                     JdkArenaPerTree, MallocBackend (through Libc)
 *   ForkedRun, RunResult, ResultTable, ResidentMemory, ThreadCpuClock: measuring, reporting
 *   RawMemory, SplitMix64, Workload: raw access, seeded inputs, sizes
 * </pre>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Every node is freed once, by the worker that allocated it, when its task ends; every
 *       result block is freed once, by the collector. After a round, Hedra's
 *       {@code liveBlocks() == 0}.
 *   <li>{@code checksum == sum over trees of hash(tree, its hits in search order)}: it depends
 *       only on the seed and the sizes, so every back end must print the same one.
 *   <li>Result blocks alive at once {@code <= HAND_OFF_CAPACITY + threads + 1}: the queue is
 *       bounded.
 * </ul>
 */
package dev.hedra.examples;
