package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NetStack;

/**
 * The toy guest: its boot sequence on one {@link Vcpu} (which stands for all its vCPUs: one per queue
 * pair it wants) — power on, probe; reboot: reset the device,
 * boot for the boot time, probe again — over a {@link VirtioNetDriver} (probe, RX refill, TX), a
 * small ARP/ICMP {@link NetStack} and a {@link GuestPinger} that pings the peer.
 *
 * <p>Each boot has a generation: whatever a boot scheduled (its interface bring-up, its pings, the
 * interrupts raised for it) does nothing once a later reboot or a shutdown has begun.
 */
public final class ToyGuest {
    private final Vcpu vcpu;
    private final VirtioNetDriver driver;
    private final NetStack stack;
    private final GuestPinger pinger;
    private final GuestLayout layout;
    private final long bootNs;
    private final GuestEvents events;
    private int bootGeneration;

    public ToyGuest(Machine machine, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long pingIntervalNs,
            long bootNs, GuestEvents events, ByteBufAllocator alloc) {
        this(machine, GuestLayout.DEFAULT, mac, ip, peerIp, pingIntervalNs, bootNs, events, alloc);
    }

    /** A guest whose rings and buffers are where {@code layout} puts them. */
    public ToyGuest(Machine machine, GuestLayout layout, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp,
            long pingIntervalNs, long bootNs, GuestEvents events, ByteBufAllocator alloc) {
        this.layout = layout;
        this.bootNs = bootNs;
        this.events = events;
        this.vcpu = new Vcpu(machine, events);
        this.pinger = new GuestPinger(vcpu, peerIp, pingIntervalNs, events);
        // The guest has a vCPU per queue pair it wants (--queues): the driver asks for that many.
        this.driver = new VirtioNetDriver(vcpu, machine.guestRam(), layout, alloc, events, this::receive,
                machine.config().net().queuePairs());
        this.stack = new NetStack(mac, ip, alloc, driver::xmit, pinger);
        pinger.attach(stack);
        machine.nic().setCallHandler(this::interrupt);
    }

    /** A frame the driver received, for the stack (which does not keep it). */
    private void receive(ByteBuf frame) {
        stack.receive(frame);
    }

    public GuestLayout layout() {
        return layout;
    }

    public boolean up() {
        return driver.isOpen();
    }

    public long txDropped() {
        return driver.txDropped();
    }

    public long rxFrames() {
        return driver.rxFrames();
    }

    /** Time until which the vCPU is stalled in the VMM. */
    public long busyUntil() {
        return vcpu.busyUntil();
    }

    /** Stops the guest's own activity (its pinger and interrupt handling) at the end of a run. */
    public void shutdown() {
        driver.close();
        bootGeneration++;
    }

    /** Powers on: probe at once (the first boot's firmware time is not part of any measurement). */
    public void powerOn() {
        vcpu.run(this::probe);
    }

    /** Reboot: the driver resets the device, the guest boots for the boot time, then probes again. */
    public void reboot() {
        vcpu.run(() -> {
            driver.close();
            bootGeneration++;
            // The reset instant is this write reaching the device (handled synchronously, as a VMM exit).
            events.resetWritten(vcpu.scheduler().now());
            driver.resetDevice();
            stack.clearArpCache();
            int gen = bootGeneration;
            vcpu.runAfterBusy(() -> {
                if (gen == bootGeneration) {
                    events.bootDone(vcpu.scheduler().now());
                    vcpu.run(this::probe);
                }
            }, bootNs);
        });
    }

    private void probe() {
        if (!driver.probe()) {
            return;
        }
        int gen = bootGeneration;
        driver.setQueues(() -> gen == bootGeneration, () -> vcpu.run(() -> {
            if (gen == bootGeneration) {
                driver.open();
                pinger.start(() -> gen == bootGeneration && driver.isOpen());
            }
        }));
    }

    /** Queue pairs the driver set up in the current boot. */
    public int queuePairs() {
        return driver.pairs();
    }

    /** The device's used-buffer interrupt for queue {@code q}, handled on the vCPU for the boot it was raised in. */
    private void interrupt(int q) {
        int gen = bootGeneration;
        vcpu.run(() -> {
            if (gen == bootGeneration) {
                driver.interrupt(q);
            }
        });
    }
}
