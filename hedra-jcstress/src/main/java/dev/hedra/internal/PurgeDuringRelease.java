package dev.hedra.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Race: another thread purges a wholly remote-freed page while its owner gives the page back
 * (ThreadHeap.release retires it) and the page's memory is used again at once, as a new page of
 * the same units would be. A purge after the retirement would zero the new user's data.
 */
@JCStressTest
@Description("A purge against the page's release: retire waits out a purge in progress, and no"
        + " purge starts once the page is retired, so memory reused after the release keeps its"
        + " data.")
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "The purge came before the release.")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "The release came first; the purge did nothing.")
@Outcome(expect = FORBIDDEN, desc = "The purge zeroed memory used after the page's release.")
@State
public class PurgeDuringRelease {

    private static final long COOKIE = 0x5eed_dead_beefL;

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.whollyFreedPage();

    @Actor
    public void ownerReleasesAndReuses() {
        page.retire();
        ProtocolOwner.writeLong(page.base, COOKIE); // the units' next user writes
    }

    @Actor
    public void otherPurges(ZZ_Result r) {
        r.r1 = page.tryPurgeIdle() > 0;
    }

    @Arbiter
    public void check(ZZ_Result r) {
        r.r2 = ProtocolOwner.readLong(page.base) == COOKIE;
        ProtocolOwner.recycle(page);
    }
}
