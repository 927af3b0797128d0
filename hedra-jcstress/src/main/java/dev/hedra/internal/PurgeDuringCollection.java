package dev.hedra.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * Race: another thread gives back the memory of a page whose every block was freed remotely
 * (IdlePages), while the owner collects those frees, hands out a block and writes into it. A
 * purge after the write would zero the owner's data.
 */
@JCStressTest
@Description("A purge of a wholly remote-freed page against the owner's collection: the"
        + " collection waits out a purge in progress, and a purge that starts after it finds the"
        + " page no longer wholly freed; the owner's block keeps what it wrote.")
@Outcome(id = "true, true, true", expect = ACCEPTABLE, desc = "The purge came first; the owner's block faulted in afresh and kept its data.")
@Outcome(id = "true, false, true", expect = ACCEPTABLE, desc = "The collection came first; the purge found blocks in use and did nothing.")
@Outcome(id = ".*, .*, false", expect = FORBIDDEN, desc = "The purge zeroed a block the owner had handed out.")
@Outcome(expect = FORBIDDEN, desc = "The owner found no block after collecting 64.")
@State
public class PurgeDuringCollection {

    private static final long COOKIE = 0x5eed_c0ffee_1234L;

    private final ProtocolOwner owner = new ProtocolOwner();
    private final SlabPage page = owner.whollyFreedPage();
    private long block;

    @Actor
    public void ownerCollectsAndWrites(ZZZ_Result r) {
        owner.collect();
        block = page.allocate();
        r.r1 = block != 0;
        if (block != 0) {
            ProtocolOwner.writeLong(block, COOKIE);
        }
    }

    @Actor
    public void otherPurges(ZZZ_Result r) {
        r.r2 = page.tryPurgeIdle() > 0;
    }

    @Arbiter
    public void check(ZZZ_Result r) {
        r.r3 = block != 0 && ProtocolOwner.readLong(block) == COOKIE;
        ProtocolOwner.recycle(page);
    }
}
