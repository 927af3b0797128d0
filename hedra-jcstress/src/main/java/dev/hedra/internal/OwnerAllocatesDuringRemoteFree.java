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
 * Race: the owner takes a block (plain writes to the free word) while another thread frees a
 * neighbour (an atomic OR on the deferred word next to it, in the same array and cache line:
 * the interleaved layout of SlabPage's bitmaps).
 */
@JCStressTest
@Description("The owner allocates while another thread frees the next block: the owner takes the"
        + " block that was free, and the remote free survives the owner's write next to it.")
@Outcome(id = "0, 1, 1, 128", expect = ACCEPTABLE, desc = "The owner took block 0; the collection brought back block 1, taken next.")
@Outcome(expect = FORBIDDEN, desc = "The owner took the wrong block, or the remote free was lost.")
@State
public class OwnerAllocatesDuringRemoteFree {

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.fullPage();

    public OwnerAllocatesDuringRemoteFree() {
        page.freeLocal(0); // one free block in the owner's view
    }

    @Actor
    public void ownerAllocates(IIII_Result r) {
        r.r1 = ProtocolOwner.indexOf(page, page.allocate());
    }

    @Actor
    public void otherFrees() {
        RemoteFrees.freeRemote(page, 1);
    }

    @Arbiter
    public void ownerCollects(IIII_Result r) {
        r.r2 = owner.collect();
        r.r3 = ProtocolOwner.indexOf(page, page.allocate());
        r.r4 = page.used;
    }
}
