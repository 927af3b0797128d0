package dev.hedra.internal;

import dev.hedra.AllocatorMXBean;
import dev.hedra.AllocatorStats;
import dev.hedra.NativeAllocator;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * An allocator's {@link AllocatorMXBean}, registered with the platform MBean server. Kept apart
 * from {@link HedraAllocator} so that an allocator without JMX never loads {@code javax.management}.
 */
final class JmxStats implements AllocatorMXBean {

    private final NativeAllocator allocator;
    private final String name;
    private final ObjectName objectName;

    private JmxStats(NativeAllocator allocator, String name, ObjectName objectName) {
        this.allocator = allocator;
        this.name = name;
        this.objectName = objectName;
    }

    /**
     * The name an allocator called {@code name} is registered under: the name as it is, or quoted
     * ({@link ObjectName#quote}) if it holds a character that JMX reserves.
     */
    static ObjectName objectName(String name) {
        boolean plain = name.chars().noneMatch(ch -> ",=:\"*?\\\n".indexOf(ch) >= 0);
        try {
            return new ObjectName("dev.hedra:type=Allocator,name=" + (plain ? name : ObjectName.quote(name)));
        } catch (JMException e) {
            throw new IllegalArgumentException("allocator name '" + name + "' cannot name a JMX bean", e);
        }
    }

    /**
     * Registers the statistics of {@code allocator}.
     *
     * @throws IllegalStateException if an allocator of the same name is registered already
     */
    static JmxStats register(NativeAllocator allocator, String name) {
        ObjectName objectName = objectName(name);
        JmxStats bean = new JmxStats(allocator, name, objectName);
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, objectName);
        } catch (InstanceAlreadyExistsException taken) {
            throw new IllegalStateException("an allocator named '" + name + "' is registered with JMX already ("
                    + objectName + "); give this one another name with HedraBuilder.name", taken);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register allocator '" + name + "' with JMX: " + e, e);
        }
        return bean;
    }

    /** Unregisters the bean; one already gone (a program may unregister it itself) is fine. */
    void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.unregisterMBean(objectName);
        } catch (InstanceNotFoundException gone) {
            // nothing to do
        } catch (JMException e) {
            throw new IllegalStateException("cannot unregister " + objectName + " from JMX: " + e, e);
        }
    }

    private AllocatorStats stats() {
        return allocator.stats();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public long getAllocations() {
        return stats().allocations();
    }

    @Override
    public long getFrees() {
        return stats().frees();
    }

    @Override
    public long getLiveBlocks() {
        return stats().liveBlocks();
    }

    @Override
    public long getBytesRequested() {
        return stats().bytesRequested();
    }

    @Override
    public long getBytesInUse() {
        return stats().bytesInUse();
    }

    @Override
    public long getPeakBytesInUse() {
        return stats().peakBytesInUse();
    }

    @Override
    public long getBytesCommitted() {
        return stats().bytesCommitted();
    }

    @Override
    public long getPeakBytesCommitted() {
        return stats().peakBytesCommitted();
    }

    @Override
    public long getBytesRetained() {
        return stats().bytesRetained();
    }

    @Override
    public long getBytesPurgedIdle() {
        return stats().bytesPurgedIdle();
    }

    @Override
    public long getBytesReserved() {
        return stats().bytesReserved();
    }

    @Override
    public int getHeapCount() {
        return stats().heaps().size();
    }

    @Override
    public String getReport() {
        return stats().toString();
    }

    @Override
    public String getJson() {
        return stats().toJson();
    }

    @Override
    public long trim() {
        AllocatorStats before = stats();
        allocator.trim();
        AllocatorStats after = stats();
        return before.bytesCommitted() + before.bytesRetained() - after.bytesCommitted() - after.bytesRetained();
    }
}
