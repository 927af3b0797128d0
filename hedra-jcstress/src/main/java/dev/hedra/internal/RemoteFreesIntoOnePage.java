package dev.hedra.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Race: two threads free different blocks of one page that is not queued yet, behind another
 * page that is; each may be the first remote free into the page. Only one may push it: a page
 * pushed twice links to itself, and the pages behind it drop off the queue with their frees.
 */
@JCStressTest
@Description("Two first remote frees into one page: the queued flag's CAS lets one thread push"
        + " the page, and one collection brings back both blocks and the queue's other page.")
@Outcome(id = "1, 1, 2, 3, 510", expect = ACCEPTABLE,
        desc = "Both frees accepted, the page queued once, every page and block collected.")
@Outcome(expect = FORBIDDEN, desc = "A free was refused, or a page fell off the queue with its frees.")
@State
public class RemoteFreesIntoOnePage {

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.fullPage(512);

    public RemoteFreesIntoOnePage() {
        ProtocolOwner.freeRemotely(owner.fullPage(), 0); // the page already queued
    }

    @Actor
    public void freer(IIIII_Result r) {
        r.r1 = RemoteFrees.freeRemote(page, 3) ? 1 : 0;
    }

    @Actor
    public void otherFreer(IIIII_Result r) {
        r.r2 = RemoteFrees.freeRemote(page, 300) ? 1 : 0; // bitmap words a cache line away
    }

    @Arbiter
    public void ownerCollects(IIIII_Result r) {
        owner.collect();
        r.r3 = owner.pagesReported;
        r.r4 = owner.blocksReported;
        r.r5 = page.used;
    }
}
