package dev.hedra.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Race: a remote free into a page that is already on its owner's queue, while the owner takes
 * the queue and collects. The free does not queue the page again when it sees it queued, so the
 * owner's collection must see its bit.
 */
@JCStressTest
@Description("A remote free while the owner collects the page it lands in: the owner resets the"
        + " page's queued flag before it reads the deferred bits, so the free is either seen by"
        + " this collection or queues the page for the next; it is never lost.")
@Outcome(id = "1, 2, 0, 126", expect = ACCEPTABLE, desc = "The collection saw both frees.")
@Outcome(id = "1, 1, 1, 126", expect = ACCEPTABLE, desc = "The free came after the collection and queued the page again; the next collection saw it.")
@Outcome(id = "1, 1, 0, .*", expect = FORBIDDEN, desc = "A free was lost: the page was not queued again and the collection missed the bit.")
@Outcome(expect = FORBIDDEN, desc = "A free was refused or counted twice.")
@State
public class RemoteFreeDuringCollection {

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.fullPage();

    public RemoteFreeDuringCollection() {
        ProtocolOwner.freeRemotely(page, 100); // queues the page on the owner's queue
    }

    @Actor
    public void freer(IIII_Result r) {
        r.r1 = RemoteFrees.freeRemote(page, 3) ? 1 : 0;
    }

    @Actor
    public void ownerCollects(IIII_Result r) {
        r.r2 = owner.collect();
    }

    @Arbiter
    public void ownerCollectsAgain(IIII_Result r) {
        r.r3 = owner.collect();
        r.r4 = page.used;
    }
}
