package dev.hedra.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * Race: the owner and another thread free the same block (a double free whose two calls race).
 * The owner's check reads the deferred word plainly, so both may pass; the design does not
 * promise to report this one (see SlabPage and RemoteFrees), only that the page stays sound.
 */
@JCStressTest
@Description("The owner's free and a remote free of one block: at least one goes through, and"
        + " however they interleave the page counts the block free once, so a page that still"
        + " holds live blocks is never taken for empty.")
@Outcome(id = "true, false, 127", expect = ACCEPTABLE, desc = "The owner's free won; the remote one is reported.")
@Outcome(id = "false, true, 127", expect = ACCEPTABLE, desc = "The remote free won; the owner's is reported.")
@Outcome(id = "true, true, 127", expect = ACCEPTABLE_INTERESTING,
        desc = "Neither saw the other: both returned (the unreported double free), the block counted free once.")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "Both refused: a valid free was lost.")
@Outcome(expect = FORBIDDEN, desc = "The page's count of blocks in use is wrong.")
@State
public class OwnerAndRemoteFreeOfOneBlock {

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.fullPage();

    @Actor
    public void ownerFrees(ZZI_Result r) {
        r.r1 = page.freeLocal(9) >= 0;
    }

    @Actor
    public void otherFrees(ZZI_Result r) {
        r.r2 = RemoteFrees.freeRemote(page, 9);
    }

    @Arbiter
    public void ownerCollects(ZZI_Result r) {
        owner.collect();
        r.r3 = page.used;
    }
}
