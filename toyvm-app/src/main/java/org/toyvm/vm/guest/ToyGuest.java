package org.toyvm.vm.guest;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

/**
 * The toy guest: its boot sequence on one {@link Vcpu} — power on, probe; reboot: reset the devices,
 * boot for the boot time, probe again — with one {@link GuestInterface} per NIC: a
 * {@link VirtioNetDriver} (probe, RX refill, TX), a small ARP/ICMP {@link org.toyvm.vm.stack.NetStack} and a
 * {@link GuestPinger} that pings that NIC's peer.
 *
 * <p>The guest reboots as one: it takes every interface down, resets every device (in NIC order, each
 * reset an exit of the one vCPU), boots once, then probes every device in NIC order.
 *
 * <p>Each boot has a generation: whatever a boot scheduled (its interface bring-up, its pings, the
 * interrupts raised for it) does nothing once a later reboot or a shutdown has begun.
 *
 * <p>Events: guest-wide ones (boot done, vCPU freeze) go to the guest's {@link GuestEvents}; each
 * interface's (its device's reset, DRIVER_OK, probe failure, its pings) to that interface's.
 *
 * <p>Live migration: {@link #pause()} stops the vCPU (vm_stop's pause_all_vcpus) — nothing the guest
 * does runs, its pingers send nothing, and a device interrupt raised meanwhile stays pending (once
 * per queue, as an interrupt line is) and is handled at {@link #resume()}; {@link #moveTo(Machine)}
 * rebinds the paused guest to a destination machine of the same shape whose RAM holds a copy of this
 * one's ({@link org.toyvm.core.mem.RamBlock#copyTo}): the same GPAs, every ring index, free buffer,
 * ARP entry and ping sequence kept, its exits and doorbells now to the destination's memory map and
 * meter, its interrupt lines now the destination's NICs'. The device state is the VMM's to move
 * (VirtioNetDevice's save/load), not the guest's.
 */
public final class ToyGuest {
    /**
     * One interface of the guest: where its rings and buffers are, its MAC and address, its peer, how
     * often it pings, and whom it reports to.
     */
    public record Nic(GuestLayout layout, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long pingIntervalNs,
            GuestEvents events, int queuePairs) {
    }

    /**
     * Guest-physical distance between two interfaces' layouts of one queue pair (NIC n's starts at
     * 1 MiB + n × this); with more pairs the stride is the layout's whole span, rounded up to 1 MiB.
     */
    public static final long NIC_LAYOUT_STRIDE = 4L << 20;

    /** Where NIC {@code n}'s rings and buffers are, for interfaces of {@code pairs} queue pairs each. */
    public static GuestLayout layoutOf(int n, int pairs) {
        return GuestLayout.at(GuestLayout.DEFAULT.rxRing().plus(n * layoutStride(pairs)));
    }

    /** The distance between two interfaces' layouts of {@code pairs} queue pairs. */
    public static long layoutStride(int pairs) {
        if (pairs <= 1) {
            return NIC_LAYOUT_STRIDE;
        }
        long span = GuestLayout.DEFAULT.end(pairs).value() - GuestLayout.DEFAULT.rxRing().value();
        return (span + (1L << 20) - 1) & -(1L << 20);
    }

    private final Vcpu vcpu;
    private final List<GuestInterface> ifaces;
    private final long bootNs;
    private final GuestEvents events;
    private int bootGeneration;
    private Machine machine;
    /** Interrupts raised while paused and not handled yet, as (interface << 32 | queue): pending once each. */
    private final Set<Long> pendingWhilePaused = new HashSet<>();

    public ToyGuest(Machine machine, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long pingIntervalNs,
            long bootNs, GuestEvents events, ByteBufAllocator alloc) {
        this(machine, GuestLayout.DEFAULT, mac, ip, peerIp, pingIntervalNs, bootNs, events, alloc);
    }

    /** A guest of one interface whose rings and buffers are where {@code layout} puts them. */
    public ToyGuest(Machine machine, GuestLayout layout, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp,
            long pingIntervalNs, long bootNs, GuestEvents events, ByteBufAllocator alloc) {
        this(machine, List.of(new Nic(layout, mac, ip, peerIp, pingIntervalNs, events,
                machine.config().net().queuePairs())), bootNs, events, alloc);
    }

    /** A guest with interface n on the machine's NIC n; {@code events} gets the guest-wide events. */
    public ToyGuest(Machine machine, List<Nic> nics, long bootNs, GuestEvents events, ByteBufAllocator alloc) {
        if (nics.size() != machine.nics().size()) {
            throw new IllegalArgumentException(nics.size() + " interfaces for a machine of " + machine.nics().size()
                    + " NICs");
        }
        this.bootNs = bootNs;
        this.events = events;
        this.machine = machine;
        this.vcpu = new Vcpu(machine, events);
        List<GuestInterface> list = new ArrayList<>();
        for (int n = 0; n < nics.size(); n++) {
            list.add(new GuestInterface(vcpu.on(machine.slot(n)), machine.guestRam(), nics.get(n), alloc));
        }
        this.ifaces = List.copyOf(list);
        connectInterrupts(machine, true);
    }

    /**
     * The one place the guest's interrupt lines meet a machine: NIC n's used-buffer notifications go to
     * interface n ({@code connect}), or nowhere (the machine the guest migrated away from). The VMM's
     * frontend delivers them: a NIC's call straight through (the irqfd), or, for a queue QEMU shadows,
     * once its shadow virtqueue has put the used entries in the guest's ring (virtio_notify).
     */
    private void connectInterrupts(Machine m, boolean connect) {
        for (int n = 0; n < ifaces.size(); n++) {
            int index = n;
            m.slot(n).frontend().setGuestNotifier(connect ? q -> interrupt(index, q) : null);
        }
    }

    /** The machine the guest runs on (the destination after {@link #moveTo}). */
    public Machine machine() {
        return machine;
    }

    /** True between {@link #pause()} and {@link #resume()}. */
    public boolean paused() {
        return vcpu.paused();
    }

    /**
     * Stops the vCPU (QEMU's vm_stop → pause_all_vcpus): until {@link #resume()} nothing the guest does
     * runs — no ping is sent, no exit or doorbell is written — and a device interrupt raised meanwhile
     * stays pending, once per queue, to be handled at resume.
     *
     * @throws IllegalStateException when already paused
     */
    public void pause() {
        if (vcpu.paused()) {
            throw new IllegalStateException("guest already paused");
        }
        vcpu.pause();
    }

    /**
     * Restarts the vCPU (resume_all_vcpus): what came due while paused runs first, in order — the
     * pending interrupts are handled, a ping that was due is sent — then the guest goes on as before.
     *
     * @throws IllegalStateException when not paused
     */
    public void resume() {
        if (!vcpu.paused()) {
            throw new IllegalStateException("guest not paused");
        }
        vcpu.resume();
    }

    /**
     * Moves the paused guest to {@code dest}, whose RAM must already hold a copy of this machine's: the
     * driver keeps every ring index, free descriptor and buffer it owns, the stacks their ARP caches,
     * the pingers their sequence; from now on the vCPU's exits and doorbells go to {@code dest}'s
     * memory map (its virtio-mmio windows and doorbell pages at the same addresses), its exits are
     * charged to {@code dest}'s meter, its rings and buffers are {@code dest}'s RAM at the same GPAs,
     * and NIC n of {@code dest}, not of the source, interrupts interface n.
     *
     * @throws IllegalStateException when the guest is running (pause it first)
     * @throws IllegalArgumentException when {@code dest} is the current machine, runs on another
     *     scheduler, or differs in shape: NIC count, queue pairs per NIC, memory size
     */
    public void moveTo(Machine dest) {
        if (!vcpu.paused()) {
            throw new IllegalStateException("cannot move a running guest: pause it first");
        }
        String why = MigrationShape.mismatch(machine, dest);
        if (why != null) {
            throw new IllegalArgumentException("cannot move the guest: " + why);
        }
        for (GuestInterface i : ifaces) {
            i.moveTo(dest.guestRam());
        }
        vcpu.moveTo(dest);
        connectInterrupts(machine, false);
        connectInterrupts(dest, true);
        machine = dest;
    }

    /** NIC 0's layout. */
    public GuestLayout layout() {
        return ifaces.get(0).config().layout();
    }

    /** Interface {@code n}'s layout. */
    public GuestLayout layout(int n) {
        return ifaces.get(n).config().layout();
    }

    /** Every interface is up. */
    public boolean up() {
        return ifaces.stream().allMatch(i -> i.driver().isOpen());
    }

    public long txDropped() {
        return ifaces.stream().mapToLong(i -> i.driver().txDropped()).sum();
    }

    public long rxFrames() {
        return ifaces.stream().mapToLong(i -> i.driver().rxFrames()).sum();
    }

    /** Time until which the vCPU is stalled in the VMM. */
    public long busyUntil() {
        return vcpu.busyUntil();
    }

    /** Stops the guest's own activity (its pingers and interrupt handling) at the end of a run. */
    public void shutdown() {
        for (GuestInterface i : ifaces) {
            i.driver().close();
        }
        bootGeneration++;
    }

    /** Powers on: probe at once (the first boot's firmware time is not part of any measurement). */
    public void powerOn() {
        vcpu.run(this::probeAll);
    }

    /** Reboot: the driver resets every device, the guest boots for the boot time, then probes again. */
    public void reboot() {
        vcpu.run(() -> {
            for (GuestInterface i : ifaces) {
                i.driver().close();
            }
            bootGeneration++;
            for (GuestInterface i : ifaces) {
                // The reset instant is this write reaching the device (handled synchronously, as a VMM
                // exit), once the vCPU is done with the previous device's.
                i.events().resetWritten(Math.max(vcpu.scheduler().now(), vcpu.busyUntil()));
                i.driver().resetDevice();
                i.stack().clearArpCache();
            }
            int gen = bootGeneration;
            vcpu.runAfterBusy(() -> {
                if (gen == bootGeneration) {
                    events.bootDone(vcpu.scheduler().now());
                    vcpu.run(this::probeAll);
                }
            }, bootNs);
        });
    }

    /**
     * Probes every device in NIC order, as Linux's virtnet_probe runs per device: its exits one after
     * another on the one vCPU, DRIVER_OK, then with several queue pairs VQ_PAIRS_SET through the control
     * queue (polled until answered) before the next device's probe. Then, once the vCPU is free again —
     * after the last DRIVER_OK's handling — brings up every interface whose probe succeeded: a vCPU
     * stalled in one device's exit does nothing for another.
     */
    private void probeAll() {
        probeFrom(0, new ArrayList<>(), bootGeneration);
    }

    private void probeFrom(int n, List<GuestInterface> probed, int gen) {
        if (gen != bootGeneration) {
            return;
        }
        if (n < ifaces.size()) {
            GuestInterface i = ifaces.get(n);
            if (i.driver().probe()) {
                probed.add(i);
                i.driver().setQueues(() -> gen == bootGeneration, () -> probeFrom(n + 1, probed, gen));
            } else {
                probeFrom(n + 1, probed, gen);
            }
            return;
        }
        if (probed.isEmpty()) {
            return;
        }
        vcpu.run(() -> {
            if (gen == bootGeneration) {
                for (GuestInterface iface : probed) {
                    iface.driver().open();
                    iface.pinger().start(() -> gen == bootGeneration && iface.driver().isOpen());
                }
            }
        });
    }

    /** Queue pairs interface 0's driver set up in the current boot. */
    public int queuePairs() {
        return ifaces.get(0).driver().pairs();
    }

    /**
     * Interface {@code n}'s device raised its used-buffer interrupt for queue {@code q}: handled on the
     * vCPU for the boot it was raised in. While the vCPU is paused it is pending: a second one for the
     * same queue adds nothing (the line is already pending), and it is handled at resume.
     */
    private void interrupt(int n, int q) {
        int gen = bootGeneration;
        long line = ((long) n << 32) | (q & 0xffff_ffffL);
        if (vcpu.paused() && !pendingWhilePaused.add(line)) {
            return;
        }
        GuestInterface iface = ifaces.get(n);
        vcpu.run(() -> {
            pendingWhilePaused.remove(line);
            if (gen == bootGeneration) {
                iface.driver().interrupt(q);
            }
        });
    }

    /** Steps that came due while paused and wait for {@link #resume()} (for tests). */
    int heldSteps() {
        return vcpu.heldSteps();
    }

    /** Interface {@code n} (for tests in this package). */
    GuestInterface iface(int n) {
        return ifaces.get(n);
    }
}
