package dev.hedra.examples;

import dev.hedra.FixedPool;
import dev.hedra.NativeAllocator;

/**
 * Hedra, "hedra-pool": one {@link FixedPool} of 40-byte blocks per worker, owned by the worker
 * thread, each node freed on its own when its tree is torn down. A pool has no size lookup and,
 * being owned by one thread, no lock: the cheapest node-by-node allocation Hedra offers, and the
 * per-thread pool of one size that geometry tools keep for their nodes. Results as in "hedra".
 */
final class HedraPoolPerWorker implements Backend {

    private final NativeAllocator allocator;

    HedraPoolPerWorker(NativeAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public String name() {
        return "hedra-pool";
    }

    @Override
    public WorkerMemory newWorkerMemory(String workerName) {
        FixedPool nodes = allocator.newPool(KdTree.NODE_BYTES); // owned by the calling worker
        KdTree.NodeStack pending = new KdTree.NodeStack();
        KdTree.NodeFreer freeNode = nodes::free;
        return new WorkerMemory() {
            @Override
            public void beginTree() {}

            @Override
            public long allocateNode() {
                return nodes.allocate();
            }

            @Override
            public void endTree(long root) {
                KdTree.freeEachNode(root, freeNode, pending);
            }

            @Override
            public long allocateResult(long byteSize) {
                return allocator.malloc(byteSize);
            }

            @Override
            public void close() {
                nodes.close();
            }
        };
    }

    @Override
    public void freeResultRemotely(long address, long byteSize) {
        allocator.free(address, byteSize);
    }
}
