package dev.hedra.examples;

import java.util.concurrent.BlockingQueue;

/**
 * One worker thread of the pool and what it keeps between its tasks: its memory and its
 * scratch for queries. Owner: that thread.
 */
final class TreeWorker {

    private final Backend.WorkerMemory memory;
    private final RangeQuery query = new RangeQuery();
    private final HitList hits = new HitList();
    private final KdTree.NodeStack pending = new KdTree.NodeStack();
    private long cpuNanos; // owner thread; read by the runner after join(), which orders it

    TreeWorker(Backend.WorkerMemory memory) {
        this.memory = memory;
    }

    /**
     * The task: builds tree {@code tree}, runs its queries, hands their results to the
     * collector in one native block, then frees the tree. The results outlive the tree.
     */
    void buildQueryAndFree(Workload workload, int tree, BlockingQueue<Long> toCollector) throws InterruptedException {
        long cpuStart = ThreadCpuClock.now();
        SplitMix64 inputs = workload.inputsOf(tree);
        memory.beginTree();
        long root = 0;
        for (int i = 0; i < workload.points(); i++) {
            long node = memory.allocateNode();
            KdTree.initNode(node, inputs.nextDouble(), inputs.nextDouble(), inputs.nextDouble());
            root = KdTree.insert(root, node);
        }
        double side = workload.boxSide();
        hits.clear();
        for (int q = 0; q < workload.queries(); q++) {
            query.moveTo(inputs.nextDouble(), inputs.nextDouble(), inputs.nextDouble(), side);
            KdTree.search(root, query, hits, pending);
        }
        long results = memory.allocateResult(ResultBlock.byteSize(hits.size()));
        ResultBlock.write(results, tree, hits);
        toCollector.put(results);
        memory.endTree(root);
        cpuNanos += ThreadCpuClock.now() - cpuStart;
    }

    /** CPU time spent in this worker's tasks. */
    long cpuNanos() {
        return cpuNanos;
    }

    /** As the worker thread ends, on that thread. */
    void close() {
        memory.close();
    }
}
