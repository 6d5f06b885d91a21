package org.toyvm.core.time;

/**
 * When an effect issued now takes hold. A synchronous VMM operation (a vCPU exit handled under the
 * equivalent of QEMU's big lock) runs in one instant of the simulation, but what it makes visible to
 * the outside — a device starting to process at DRIVER_OK, a queue enabled, a resume — happens only
 * once the modelled cost charged before it in that operation has elapsed: a real NIC starts when
 * the kernel's set_status reaches it, after the pinning and mapping that came first
 * (docs/DESIGN.md §3 "Time").
 */
@FunctionalInterface
public interface Causality {
    /** Nothing is in flight: every effect takes hold at once (the default outside a VMM). */
    Causality IMMEDIATE = () -> 0;

    /**
     * Nanoseconds after {@link SimScheduler#now()} at which an effect issued now takes hold: 0
     * outside a synchronous operation; inside one, the time from now to the operation's start plus
     * the cost charged in it so far (saturating at the end of the clock).
     */
    long lagNanos();
}
