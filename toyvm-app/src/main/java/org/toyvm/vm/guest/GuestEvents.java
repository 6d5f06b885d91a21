package org.toyvm.vm.guest;

import org.toyvm.vm.stack.Packets;

/** What the toy guest reports to the experiment. Times are simulation nanoseconds. */
public interface GuestEvents {
    default void resetWritten(long t) {
    }

    default void bootDone(long t) {
    }

    /** DRIVER_OK was written at {@code t}; the VMM's handling ended at {@code doneAt}. */
    default void driverOk(long t, long doneAt) {
    }

    /** The probe failed (FEATURES_OK refused, device needs reset, ...). */
    default void probeFailed(long t, String why) {
    }

    /** The vCPU was stalled in the VMM for {@code ns}. */
    default void vcpuFrozen(long ns) {
    }

    default void echoRequestAnswered(Packets.Echo request, long t) {
    }

    default void guestPingSent(int seq, long t) {
    }

    default void guestPingReplied(int seq, long t) {
    }
}
