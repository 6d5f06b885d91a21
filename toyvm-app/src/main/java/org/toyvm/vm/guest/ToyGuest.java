package org.toyvm.vm.guest;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
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
        this.vcpu = new Vcpu(machine, events);
        List<GuestInterface> list = new ArrayList<>();
        for (int n = 0; n < nics.size(); n++) {
            GuestInterface iface = new GuestInterface(vcpu.on(machine.slot(n)), machine.guestRam(), nics.get(n), alloc);
            list.add(iface);
            machine.slot(n).nic().setCallHandler(q -> interrupt(iface, q));
        }
        this.ifaces = List.copyOf(list);
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

    /** A device's used-buffer interrupt for queue {@code q}, handled on the vCPU for the boot it was raised in. */
    private void interrupt(GuestInterface iface, int q) {
        int gen = bootGeneration;
        vcpu.run(() -> {
            if (gen == bootGeneration) {
                iface.driver().interrupt(q);
            }
        });
    }
}
