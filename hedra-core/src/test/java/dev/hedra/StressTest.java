package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stress test in the style of mimalloc's {@code test-stress}: worker threads with their own
 * deterministic PRNG allocate blocks of random sizes (mostly small, some medium, rarely huge),
 * write a cookie derived from address and size into each, and swap them through a shared array
 * of slots, so that most frees happen on a thread other than the allocating one. Whatever comes
 * out of a slot is checked and freed (sized or unsized at random); whole batches move between
 * threads too, and some blocks are reallocated by a thread that did not allocate them.
 *
 * <p>The total number of operations comes from {@code -Dhedra.stress.operations} (default
 * 1,000,000), split over the workers. The thread interleaving is up to the scheduler, but each
 * worker's sequence of choices is fixed by its seed. {@code -Dhedra.stress.purgeDelayMillis}
 * sets the allocator's purge delay (default: the builder's); at 0, every page that other threads
 * empty goes back to the system at once, which races with its owner's collections.
 * {@code -Dhedra.stress.largestSlabPageSize} sets the largest slab page (at 65536, the classes
 * above 1 KiB get pages of two to 56 blocks, which fill, empty and go back far more often).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StressTest {

    static final long OPERATIONS = Long.getLong("hedra.stress.operations", 1_000_000);
    static final Long PURGE_DELAY_MILLIS = Long.getLong("hedra.stress.purgeDelayMillis");
    static final Integer LARGEST_SLAB_PAGE_SIZE = Integer.getInteger("hedra.stress.largestSlabPageSize");
    private static final long SEED = 0x5EED_2025L;
    private static final int SLOTS = 4096;
    private static final int BATCH_SLOTS = 64;

    /** Who runs the workers. */
    enum Workers {
        PLATFORM(4, i -> ThreadKind.PLATFORM),
        VIRTUAL(16, i -> ThreadKind.VIRTUAL),
        MIXED(8, i -> i % 2 == 0 ? ThreadKind.PLATFORM : ThreadKind.VIRTUAL);

        final int count;
        final java.util.function.IntFunction<ThreadKind> kindOf;

        Workers(int count, java.util.function.IntFunction<ThreadKind> kindOf) {
            this.count = count;
            this.kindOf = kindOf;
        }
    }

    record Block(long address, long size) {}

    /** The shared state: slots of single blocks and slots of whole batches. */
    static final class Exchange {
        final AtomicReferenceArray<Block> slots = new AtomicReferenceArray<>(SLOTS);
        final AtomicReferenceArray<Block[]> batches = new AtomicReferenceArray<>(BATCH_SLOTS);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong remoteReallocs = new AtomicLong();
    }

    private static NativeAllocator open() {
        if (PURGE_DELAY_MILLIS == null && LARGEST_SLAB_PAGE_SIZE == null) {
            return CheckedAllocator.open();
        }
        HedraBuilder builder = Hedra.builder().name("hedra-test");
        if (PURGE_DELAY_MILLIS != null) {
            builder.purgeDelay(java.time.Duration.ofMillis(PURGE_DELAY_MILLIS));
        }
        if (LARGEST_SLAB_PAGE_SIZE != null) {
            builder.largestSlabPageSize(LARGEST_SLAB_PAGE_SIZE);
        }
        return CheckedAllocator.wrap(builder.build(), true);
    }

    @ParameterizedTest
    @EnumSource(Workers.class)
    void blocksMovingBetweenThreads(Workers workers) {
        try (NativeAllocator hedra = open()) {
            Exchange exchange = new Exchange();
            long perWorker = OPERATIONS / workers.count;
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < workers.count; t++) {
                SplitMix64 random = new SplitMix64(SEED + 1000L * workers.ordinal() + t);
                bodies.add(() -> {
                    try {
                        work(hedra, exchange, random, perWorker);
                    } catch (Throwable failure) {
                        exchange.stop.set(true);
                        throw failure;
                    }
                });
            }
            try {
                ThreadKind.runAll(Duration.ofSeconds(240), bodies, workers.kindOf);
            } finally {
                exchange.stop.set(true);
            }
            // Everything left, freed from this thread: remote frees again, to dead owners now.
            SplitMix64 random = new SplitMix64(SEED - 1);
            for (int i = 0; i < SLOTS; i++) {
                Block block = exchange.slots.getAndSet(i, null);
                if (block != null) {
                    checkAndFree(hedra, block, random);
                }
            }
            for (int i = 0; i < BATCH_SLOTS; i++) {
                Block[] batch = exchange.batches.getAndSet(i, null);
                if (batch != null) {
                    for (Block block : batch) {
                        checkAndFree(hedra, block, random);
                    }
                }
            }
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.liveBlocks(), () -> "live blocks after freeing everything:\n" + stats);
            assertEquals(0, stats.bytesInUse(), () -> "bytes in use after freeing everything:\n" + stats);
        }
    }

    private static long randomSize(SplitMix64 random) {
        int r = random.nextInt(1000);
        if (r == 0) {
            return random.between(2 * MiB + 1, 8 * MiB); // huge, 0.1%
        }
        if (r <= 20) {
            return random.between(32 * KiB + 1, MiB); // medium, 2%
        }
        int s = random.nextInt(100);
        if (s < 70) {
            return random.between(1, 128);
        }
        if (s < 95) {
            return random.between(129, 2048);
        }
        return random.between(2049, 32 * KiB);
    }

    private static Block allocate(NativeAllocator hedra, SplitMix64 random) {
        long size = randomSize(random);
        long address = switch (random.nextInt(10)) {
            case 0 -> hedra.calloc(size);
            case 1 -> hedra.malloc(size, 1L << random.nextInt(13));
            default -> hedra.malloc(size);
        };
        Blocks.writeCookie(address, size);
        return new Block(address, size);
    }

    private static void checkAndFree(NativeAllocator hedra, Block block, SplitMix64 random) {
        Blocks.checkCookie(block.address(), block.size());
        if (random.nextInt(2) == 0) {
            hedra.free(block.address(), block.size());
        } else {
            hedra.free(block.address());
        }
    }

    /** One worker's loop; package-private for {@link TestsCanFailTest}. */
    static void work(NativeAllocator hedra, Exchange exchange, SplitMix64 random, long operations) {
        List<Block> batch = new ArrayList<>();
        for (long op = 0; op < operations; op++) {
            if ((op & 255) == 0) {
                if (exchange.stop.get()) {
                    break;
                }
                Thread.yield(); // lets virtual workers interleave and move between carriers
                if ((op & 0xFFFF) == 0) {
                    hedra.trim(); // gives back what waits, and purges other owners' emptied pages under them
                }
            }
            int r = random.nextInt(100);
            if (r < 55) {
                // Allocate into a random slot; whatever was there is checked and freed here.
                Block out = exchange.slots.getAndSet(random.nextInt(SLOTS), allocate(hedra, random));
                if (out != null) {
                    checkAndFree(hedra, out, random);
                }
            } else if (r < 75) {
                Block out = exchange.slots.getAndSet(random.nextInt(SLOTS), null);
                if (out != null) {
                    checkAndFree(hedra, out, random);
                }
            } else if (r < 80) {
                // Realloc a block that some other thread probably allocated.
                int slot = random.nextInt(SLOTS);
                Block out = exchange.slots.getAndSet(slot, null);
                if (out != null) {
                    Blocks.checkCookie(out.address(), out.size());
                    long newSize = randomSize(random);
                    long moved = hedra.realloc(out.address(), newSize);
                    long kept = Math.min(Math.min(out.size(), newSize), Blocks.FULL_COOKIE_LIMIT);
                    if (out.size() <= Blocks.FULL_COOKIE_LIMIT) {
                        long mismatch = Blocks.firstMismatch(moved, kept,
                                Blocks.cookie(out.address(), out.size()));
                        if (mismatch >= 0) {
                            throw new AssertionError("realloc(" + Blocks.hex(out.address()) + " of " + out.size()
                                    + ", " + newSize + ") lost contents at offset " + mismatch);
                        }
                    }
                    Blocks.writeCookie(moved, newSize);
                    exchange.remoteReallocs.incrementAndGet();
                    Block displaced = exchange.slots.getAndSet(slot, new Block(moved, newSize));
                    if (displaced != null) {
                        checkAndFree(hedra, displaced, random);
                    }
                }
            } else if (r < 97) {
                batch.add(allocate(hedra, random));
            } else {
                // Hand over the local batch whole, and free whatever batch was in that slot.
                Block[] in = exchange.batches.getAndSet(random.nextInt(BATCH_SLOTS), batch.toArray(Block[]::new));
                batch.clear();
                if (in != null) {
                    for (Block block : in) {
                        checkAndFree(hedra, block, random);
                    }
                }
            }
        }
        // Leave the last batch for the cleanup (freed by another thread after this one died).
        if (!batch.isEmpty()) {
            Block[] in = exchange.batches.getAndSet(random.nextInt(BATCH_SLOTS), batch.toArray(Block[]::new));
            if (in != null) {
                for (Block block : in) {
                    checkAndFree(hedra, block, random);
                }
            }
        }
    }
}
