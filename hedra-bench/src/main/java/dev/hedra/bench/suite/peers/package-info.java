/**
 * The allocators of the comparison suite as {@link dev.hedra.bench.suite.SuiteAllocator}s: Hedra,
 * glibc, jemalloc, mimalloc and tcmalloc through FFM critical downcalls, the JDK's arenas, and
 * Netty's pooled and adaptive allocators. {@link dev.hedra.bench.suite.SuiteAllocators} creates
 * them by name.
 *
 * <p>The native peers load their libraries as the JMH peers do ({@link dev.hedra.bench.PeerLibraries});
 * their downcall handles are {@code static final} so that the JIT inlines them, which is why each
 * library has a class of its own. Peers that free through a handle (an {@code Arena}, a
 * {@code ByteBuf}) map addresses to handles in a {@code ConcurrentHashMap} and say so in
 * {@code notes()}.
 */
package dev.hedra.bench.suite.peers;
