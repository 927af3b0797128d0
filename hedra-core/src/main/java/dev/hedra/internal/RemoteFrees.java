package dev.hedra.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The deferred-free protocol: how a thread frees a block in a page another heap owns.
 *
 * <pre>
 *   freeing thread                            owner (on its slow path)
 *   1. the block's bit in page.deferred:      1. take the whole queue (getAndSet null)
 *      atomic OR; already set = double free   2. per page: queued = 0, then collect
 *   2. if page.queued == 0 and CAS 0 -&gt; 1:       page.deferred into page.free (getAndSet 0)
 *      push the page on the owner's queue
 * </pre>
 *
 * A page is on at most one queue once ({@code queued}), so the queue is a Treiber stack that is
 * only pushed and emptied whole: no ABA. Both sides use volatile (sequentially consistent)
 * accesses, so a remote free either sees {@code queued == 0} and queues the page, or its bit was
 * set before the owner reset {@code queued} and the owner's collection that follows sees it.
 * The common case costs the freeing thread one atomic OR: the CAS only happens on the first
 * remote free into a page since its owner last looked. A free that completes a word of the
 * deferred bitmap also asks {@link IdlePages} whether the page is now wholly free and its owner
 * idle, in which case its memory goes back to the system at once.
 *
 * <p>Each race of this protocol, and of {@link SlabPage}'s purge states, has a jcstress test in
 * the {@code hedra-jcstress} module, which states its allowed and forbidden outcomes.
 */
final class RemoteFrees {

    private static final VarHandle HEAD;
    private static final VarHandle QUEUED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(RemoteFrees.class, "head", SlabPage.class);
            QUEUED = lookup.findVarHandle(SlabPage.class, "queued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Pages with deferred frees; any thread pushes (CAS), the owner takes all. */
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile SlabPage head;

    /**
     * Any thread: frees block {@code index} of a page owned by another heap.
     *
     * @return false if the block was already free (double free); nothing changed then
     */
    static boolean freeRemote(SlabPage page, int index) {
        // NOTE: the owner's bitmap is read racily. The owner only sets this bit when the block is
        // freed, so a set bit means a double free; a bit we miss because the owner is freeing the
        // same block right now is a double free racing with itself, which no check can order
        // without a fence on the owner's free; the owner's collection then counts the block once.
        long word;
        if (page.isFreeHint(index) || (word = page.markDeferred(index)) == 0) {
            return false;
        }
        if (page.queued == 0 && QUEUED.compareAndSet(page, 0, 1)) {
            page.owner.remoteFrees.push(page);
        }
        if (page.isFullWord(word, index)) {
            IdlePages.onWordFreed(page, index); // perhaps the page's last block; a call, off the way
        }
        return true;
    }

    private void push(SlabPage page) {
        SlabPage current;
        do {
            current = head;
            page.nextQueued = current; // published by the CAS below
        } while (!HEAD.compareAndSet(this, current, page));
    }

    /** Owner: whether any page waits to be collected. */
    boolean hasPending() {
        return head != null;
    }

    /**
     * Owner: collects every queued page's deferred frees into its free bitmap and reports each
     * page to {@code owner}. Returns the number of blocks collected.
     */
    int collect(PageOwner owner) {
        SlabPage page = (SlabPage) HEAD.getAndSet(this, (SlabPage) null);
        int total = 0;
        while (page != null) {
            SlabPage next = page.nextQueued;
            page.nextQueued = null;
            page.queued = 0; // volatile: a remote free after this point queues the page again
            if (!page.isReleased()) {
                int usedBefore = page.used;
                int collected = page.collectDeferred();
                if (collected > 0) {
                    total += collected;
                    owner.onCollected(page, usedBefore, collected);
                }
            }
            page = next;
        }
        return total;
    }
}
