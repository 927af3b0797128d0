package dev.hedra.examples;

/**
 * glibc, "malloc": every node and result is a {@code malloc} through FFM; a tree is torn down
 * with a walk and a {@code free} per node, and the collector frees results with {@code free}.
 * glibc keeps a block freed by another thread in that thread's cache (tcache) or, once the cache
 * is full, gives it back to the arena that allocated it, under the arena's lock.
 */
final class MallocBackend implements Backend {

    @Override
    public String name() {
        return "malloc";
    }

    @Override
    public WorkerMemory newWorkerMemory(String workerName) {
        KdTree.NodeStack pending = new KdTree.NodeStack();
        return new WorkerMemory() {
            @Override
            public void beginTree() {}

            @Override
            public long allocateNode() {
                return Libc.malloc(KdTree.NODE_BYTES);
            }

            @Override
            public void endTree(long root) {
                KdTree.freeEachNode(root, Libc::free, pending);
            }

            @Override
            public long allocateResult(long byteSize) {
                return Libc.malloc(byteSize);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void freeResultRemotely(long address, long byteSize) {
        Libc.free(address);
    }
}
