package org.toyvm.vm.guest;

import java.util.ArrayDeque;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.memory.AddressSpace;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.NetSlot;

/**
 * The guest's one vCPU: a sequential thread of work on the machine's scheduler. A register write is
 * a VMM exit handled synchronously (under the equivalent of QEMU's big lock): the cost the VMM and
 * the kernel charge while handling it is time the vCPU stays frozen, and nothing else the guest does
 * runs before that time has passed; nor does anything the handling makes visible outside (the
 * exit is bracketed as one operation on the {@link CostMeter}: see {@link #mmioWrite}). Doorbell writes go to the device's notify page (a host notifier
 * mapped into the guest) and cost no exit.
 *
 * <p>A Vcpu addresses one device's virtio-mmio window and doorbell page; {@link #on(NetSlot)} gives the
 * same vCPU (the same busy time: one vCPU does every device's exits one after another) addressing
 * another NIC.
 *
 * <p>Live migration: {@link #pause()} stops the vCPU (QEMU's vm_stop → pause_all_vcpus): a step due
 * while it is paused is held, in order, and runs at {@link #resume()} (resume_all_vcpus), so nothing
 * the guest does happens in between. {@link #moveTo(Machine)} rebinds every view at once to another
 * machine's system memory and cost meter: the same register and doorbell addresses, now decoded by
 * the destination's memory map.
 */
final class Vcpu {
    /** What every view of the one vCPU shares: its busy time, the machine it runs on, whether it is paused. */
    private static final class Core {
        long busyUntil;
        AddressSpace as;
        CostMeter meter;
        boolean paused;
        /** Steps that came due while paused, in the order they did. */
        final ArrayDeque<Runnable> held = new ArrayDeque<>();

        Core(AddressSpace as, CostMeter meter) {
            this.as = as;
            this.meter = meter;
        }
    }

    private final SimScheduler sched;
    private final GuestEvents events;
    private final Core core;
    private final long mmioBase;
    private final long doorbellBase;

    /** The vCPU addressing NIC 0. */
    Vcpu(Machine machine, GuestEvents events) {
        this(machine.scheduler(), events, new Core(machine.systemMemory(), machine.meter()),
                machine.slot(0).mmioBase(), machine.slot(0).doorbellBase());
    }

    private Vcpu(SimScheduler sched, GuestEvents events, Core core, long mmioBase, long doorbellBase) {
        this.sched = sched;
        this.events = events;
        this.core = core;
        this.mmioBase = mmioBase;
        this.doorbellBase = doorbellBase;
    }

    /** The same vCPU addressing {@code slot}'s registers and doorbell. */
    Vcpu on(NetSlot slot) {
        return new Vcpu(sched, events, core, slot.mmioBase(), slot.doorbellBase());
    }

    /** Guest-physical address of the registers this view addresses. */
    long mmioBase() {
        return mmioBase;
    }

    SimScheduler scheduler() {
        return sched;
    }

    /** Time until which the vCPU is stalled in the VMM. */
    long busyUntil() {
        return core.busyUntil;
    }

    /** Runs {@code step} on the vCPU: not before the vCPU is free again, and not while it is paused. */
    void run(Runnable step) {
        long at = Math.max(sched.now(), core.busyUntil);
        sched.schedule(() -> dispatch(step), at - sched.now());
    }

    /**
     * Runs {@code step} {@code delayNs} after the vCPU is free again (saturating at the end of the
     * clock), or at resume if it is paused then.
     */
    void runAfterBusy(Runnable step, long delayNs) {
        sched.schedule(() -> dispatch(step), Durations.addSaturating(core.busyUntil - sched.now(), delayNs));
    }

    private void dispatch(Runnable step) {
        if (core.paused) {
            core.held.add(step);
        } else {
            step.run();
        }
    }

    /** True between {@link #pause()} and {@link #resume()}. */
    boolean paused() {
        return core.paused;
    }

    /** Stops the vCPU: from now until {@link #resume()} every step that comes due is held. */
    void pause() {
        core.paused = true;
    }

    /**
     * Restarts the vCPU: the held steps run in the order they came due, each on the vCPU (one after
     * another's exits), before anything that comes due later.
     */
    void resume() {
        core.paused = false;
        if (!core.held.isEmpty()) {
            run(this::releaseHeld);
        }
    }

    /** Runs the oldest held step, then the next once the vCPU is free again (after that step's exits). */
    private void releaseHeld() {
        Runnable step = core.held.poll();
        if (step != null) {
            step.run();
            if (!core.held.isEmpty()) {
                run(this::releaseHeld);
            }
        }
    }

    /** Steps held while paused, not run yet. */
    int heldSteps() {
        return core.held.size();
    }

    /** Every view of this vCPU now exits to {@code dest}'s memory map and charges {@code dest}'s meter. */
    void moveTo(Machine dest) {
        core.as = dest.systemMemory();
        core.meter = dest.meter();
    }

    /**
     * A 32-bit write to the virtio-mmio window: an exit whose modelled cost freezes the vCPU. The exit
     * starts when the vCPU is free (a second write in the same step starts when the first one's
     * handling ends) and is one synchronous operation on the meter, so that what the VMM and the
     * kernel make visible while handling it (the NIC starting at DRIVER_OK) takes hold at the exit's
     * start plus the cost charged before it, not before the mapping it waited for.
     */
    void mmioWrite(int reg, long value) {
        long start = Math.max(core.busyUntil, sched.now());
        core.meter.beginOperation(start - sched.now());
        long cost;
        try {
            core.as.writeValue(mmioBase + reg, value, 4);
        } finally {
            cost = core.meter.endOperation();
        }
        // Saturates: a modelled cost near the top of the clock freezes the vCPU "for ever", it never
        // wraps to a time in the past.
        core.busyUntil = Durations.addSaturating(start, cost);
        if (cost > 0) {
            events.vcpuFrozen(cost);
        }
    }

    /**
     * The vCPU spins for {@code ns} from when it is free (a driver busy-polling, cpu_relax): guest time,
     * not a VMM exit, so not reported as frozen; nothing else the vCPU does runs before it ends.
     */
    void spin(long ns) {
        core.busyUntil = Durations.addSaturating(Math.max(core.busyUntil, sched.now()), ns);
    }

    /** A 32-bit read of the virtio-mmio window. */
    long mmioRead(int reg) {
        return core.as.readValue(mmioBase + reg, 4).value();
    }

    /** Kicks queue {@code q} through the doorbell page. */
    void doorbell(int q) {
        core.as.writeValue(doorbellBase, q, 4);
    }
}
