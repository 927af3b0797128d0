package dev.hedra.internal;

/**
 * What owns slab pages: a {@link ThreadHeap} or a {@link FixedSizePool}. The owner allocates
 * from its pages without atomics; other threads free into them through its {@link RemoteFrees}
 * queue, and the owner is told what it collected.
 */
abstract class PageOwner {

    final RemoteFrees remoteFrees = new RemoteFrees();

    /** Owner: {@code collected} remote frees of {@code page} moved into its free bitmap. */
    abstract void onCollected(SlabPage page, int usedBefore, int collected);
}
