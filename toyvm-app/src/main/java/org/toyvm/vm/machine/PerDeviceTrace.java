package org.toyvm.vm.machine;

import org.toyvm.net.vhost.IotlbTraceSink;

/**
 * An IOTLB trace that can say which device wrote each message: a machine of several NICs hands each
 * device's listener {@link #forDevice} of its name ("vhost-vdpa-1"); a machine of one NIC uses the
 * trace as it is, so its lines do not change.
 */
public interface PerDeviceTrace extends IotlbTraceSink {
    /** The same trace, each line naming {@code device}. */
    IotlbTraceSink forDevice(String device);
}
