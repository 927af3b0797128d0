package dev.hedra.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/** Race: two threads, neither the owner, free the same block (a double free). */
@JCStressTest
@Description("Two remote frees of one block: the atomic OR on the deferred word lets exactly one"
        + " through, and the owner's collection counts the block once.")
@Outcome(id = "true, false, 127", expect = ACCEPTABLE, desc = "The first thread's free won; the second is reported.")
@Outcome(id = "false, true, 127", expect = ACCEPTABLE, desc = "The second thread's free won; the first is reported.")
@Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "Both accepted: a double free went unreported.")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "Both refused: a valid free was lost.")
@Outcome(expect = FORBIDDEN, desc = "The collection miscounted the page's blocks.")
@State
public class TwoRemoteFreesOfOneBlock {

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.fullPage();

    @Actor
    public void freer(ZZI_Result r) {
        r.r1 = RemoteFrees.freeRemote(page, 5);
    }

    @Actor
    public void otherFreer(ZZI_Result r) {
        r.r2 = RemoteFrees.freeRemote(page, 5);
    }

    @Arbiter
    public void owner(ZZI_Result r) {
        owner.collect();
        r.r3 = page.used;
    }
}
