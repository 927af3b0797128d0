package dev.hedra.examples;

/**
 * Where the workload's memory comes from: the one thing that differs between the runs.
 *
 * <p>Two kinds of blocks, two lifetimes:
 * <ul>
 *   <li><b>Nodes</b> live and die with their tree, on one worker thread: allocated one by one
 *       while the tree is built, all dead at once when the task ends.
 *   <li><b>Results</b>, one block per tree, are allocated by a worker and freed by the
 *       collector thread, while the worker has moved on to its next tree: the cross-thread free.
 * </ul>
 */
interface Backend extends AutoCloseable {

    /** The name on the command line and in the table. */
    String name();

    /**
     * Called by each worker thread before its first tree; the memory it returns is used, and
     * finally closed, by that thread only.
     *
     * @param workerName the worker thread's name, for heaps' names
     */
    WorkerMemory newWorkerMemory(String workerName);

    /**
     * Collector thread: frees a result block a worker allocated with
     * {@link WorkerMemory#allocateResult(long)}.
     */
    void freeResultRemotely(long address, long byteSize);

    /** Releases what the back end holds across workers; the runs are over. */
    @Override
    default void close() {}

    /** The memory of one worker. Owner: that worker thread. */
    interface WorkerMemory {

        /** Starts a tree: its nodes come from here until {@link #endTree(long)}. */
        void beginTree();

        /** A block of {@link KdTree#NODE_BYTES} bytes, 8-aligned, for a node of the current tree. */
        long allocateNode();

        /** Frees every node of the current tree. */
        void endTree(long root);

        /** A block of {@code byteSize} bytes, 8-aligned, that the collector thread will free. */
        long allocateResult(long byteSize);

        /**
         * Releases the worker's memory, including a tree left open by a failed task; called as
         * the worker thread ends.
         */
        void close();
    }
}
