package org.toyvm.net.vhost;

import org.toyvm.vdpa.uapi.VhostMsgV2;

/** Receives every IOTLB message the frontend writes, with the result (for --trace-iotlb). */
@FunctionalInterface
public interface IotlbTraceSink {
    IotlbTraceSink NONE = (t, m, r) -> { };

    /**
     * @param timeNs simulation time of the write
     * @param msg the message as encoded (its {@link VhostMsgV2#encode()} are the exact bytes written)
     * @param result "ok" or the errno name
     */
    void written(long timeNs, VhostMsgV2 msg, String result);
}
