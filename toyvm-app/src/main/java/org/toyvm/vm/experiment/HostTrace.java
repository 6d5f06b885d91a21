package org.toyvm.vm.experiment;

import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vm.machine.PerDeviceTrace;

/**
 * The IOTLB trace of one host of a migration: every line names the host and the device
 * ("source/vhost-vdpa-0"), so that one file holds both hosts' messages.
 */
final class HostTrace implements PerDeviceTrace {
    private final PerDeviceTrace trace;
    private final String host;

    /** Device 0's sink: a machine of one NIC writes through the trace itself. */
    private final IotlbTraceSink single;

    private HostTrace(PerDeviceTrace trace, String host) {
        this.trace = trace;
        this.host = host;
        this.single = trace.forDevice(host + "/" + org.toyvm.vm.machine.NetSlot.deviceName(0));
    }

    /** {@code trace} tagged with {@code host}; a trace that cannot name devices is used as it is. */
    static IotlbTraceSink of(IotlbTraceSink trace, String host) {
        return trace instanceof PerDeviceTrace p ? new HostTrace(p, host) : trace;
    }

    @Override
    public void written(long timeNs, org.toyvm.vdpa.uapi.VhostMsgV2 msg, String result) {
        single.written(timeNs, msg, result);
    }

    @Override
    public IotlbTraceSink forDevice(String device) {
        return trace.forDevice(host + "/" + device);
    }
}
