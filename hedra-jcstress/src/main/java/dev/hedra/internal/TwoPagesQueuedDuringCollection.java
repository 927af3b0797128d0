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
 * Race: another thread pushes two pages on the owner's queue (a Treiber stack), one after the
 * other, while the owner takes the whole queue: each push must land either in the taken list or
 * in the new one. (One pushing thread: jcstress runs a test only if each actor has a CPU, and CI
 * has two.)
 */
@JCStressTest
@Description("Pushes of two pages during the owner's take of the queue: every page ends up"
        + " collected once, in this collection or the next.")
@Outcome(id = "0, 2, 127, 127", expect = ACCEPTABLE, desc = "Both pushes came after the take: the next collection got both.")
@Outcome(id = "1, 1, 127, 127", expect = ACCEPTABLE, desc = "One push before the take, one after.")
@Outcome(id = "2, 0, 127, 127", expect = ACCEPTABLE, desc = "Both pushes before the take.")
@Outcome(expect = FORBIDDEN, desc = "A page was lost or collected twice.")
@State
public class TwoPagesQueuedDuringCollection {

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage first = owner.fullPage();
    private final SlabPage second = owner.fullPage();

    @Actor
    public void freer() {
        RemoteFrees.freeRemote(first, 11);
        RemoteFrees.freeRemote(second, 12);
    }

    @Actor
    public void ownerCollects(IIII_Result r) {
        r.r1 = owner.collect();
    }

    @Arbiter
    public void ownerCollectsAgain(IIII_Result r) {
        r.r2 = owner.collect();
        r.r3 = first.used;
        r.r4 = second.used;
    }
}
