package dev.hedra;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A deliberately broken allocator over a real one, for {@link TestsCanFailTest}: each fault is a
 * bug an allocator could plausibly have, and the suite's checks must catch every one. A dynamic
 * proxy: methods without a fault go straight to the real allocator.
 */
final class FaultyAllocator implements InvocationHandler {

    enum Fault {
        /** Now and then malloc returns a block that is still live. */
        HANDS_OUT_A_LIVE_BLOCK,
        /** calloc does not zero (reused blocks keep their old bytes). */
        CALLOC_DOES_NOT_ZERO,
        /** realloc copies only half of the contents. */
        REALLOC_COPIES_HALF,
        /** Now and then free does nothing (a leak the statistics should reveal). */
        FREE_LOSES_BLOCKS
    }

    private final NativeAllocator delegate;
    private final Fault fault;
    private long calls;
    private long lastMalloc;

    private FaultyAllocator(NativeAllocator delegate, Fault fault) {
        this.delegate = delegate;
        this.fault = fault;
    }

    static NativeAllocator over(NativeAllocator delegate, Fault fault) {
        return (NativeAllocator) Proxy.newProxyInstance(FaultyAllocator.class.getClassLoader(),
                new Class<?>[] {NativeAllocator.class}, new FaultyAllocator(delegate, fault));
    }

    private boolean now(int every) {
        return ++calls % every == 0;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        Class<?>[] types = method.getParameterTypes();
        if (name.equals("malloc") && types.length == 1) {
            long size = (Long) args[0];
            if (fault == Fault.HANDS_OUT_A_LIVE_BLOCK && lastMalloc != 0 && now(97)
                    && delegate.usableSize(lastMalloc) >= size) {
                return lastMalloc; // may have been freed meanwhile; usually it is live
            }
            lastMalloc = delegate.malloc(size);
            return lastMalloc;
        }
        if (name.equals("calloc") && fault == Fault.CALLOC_DOES_NOT_ZERO) {
            return delegate.malloc((Long) args[0]);
        }
        if (name.equals("realloc") && fault == Fault.REALLOC_COPIES_HALF && (Long) args[0] != 0) {
            long address = (Long) args[0];
            long newSize = (Long) args[1];
            long oldSize = delegate.usableSize(address);
            long moved = delegate.malloc(newSize);
            long copied = Math.min(oldSize, newSize) / 2;
            MemorySegment.copy(Blocks.segment(address, copied), 0, Blocks.segment(moved, copied), 0, copied);
            delegate.free(address);
            return moved;
        }
        if (name.equals("free") && fault == Fault.FREE_LOSES_BLOCKS && types[0] == long.class) {
            if (now(89)) {
                return null;
            }
            delegate.free((Long) args[0]);
            return null;
        }
        if (name.equals("equals") && types.length == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && types.length == 0) {
            return System.identityHashCode(proxy);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
