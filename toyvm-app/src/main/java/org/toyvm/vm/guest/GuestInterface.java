package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.vm.stack.NetStack;

/**
 * One network interface of the toy guest (eth0, eth1 …): its virtio-net driver on one NIC's MMIO
 * window and doorbell, its own ARP/ICMP stack (MAC and IPv4 address) and its pinger of that NIC's
 * peer, reporting to that NIC's events.
 */
final class GuestInterface {
    private final ToyGuest.Nic config;
    private final VirtioNetDriver driver;
    private final NetStack stack;
    private final GuestPinger pinger;

    GuestInterface(Vcpu vcpu, GuestRam ram, ToyGuest.Nic config, ByteBufAllocator alloc) {
        this.config = config;
        this.pinger = new GuestPinger(vcpu, config.peerIp(), config.pingIntervalNs(), config.events());
        this.driver = new VirtioNetDriver(vcpu, ram, config.layout(), alloc, config.events(), this::receive,
                config.queuePairs());
        this.stack = new NetStack(config.mac(), config.ip(), alloc, driver::xmit, pinger);
        pinger.attach(stack);
    }

    /** A frame the driver received, for the stack (which does not keep it). */
    private void receive(ByteBuf frame) {
        stack.receive(frame);
    }

    /** The guest was migrated: the driver's queues now in {@code ram} (the vCPU view is moved with the vCPU). */
    void moveTo(GuestRam ram) {
        driver.moveTo(ram);
    }

    ToyGuest.Nic config() {
        return config;
    }

    VirtioNetDriver driver() {
        return driver;
    }

    NetStack stack() {
        return stack;
    }

    GuestPinger pinger() {
        return pinger;
    }

    GuestEvents events() {
        return config.events();
    }
}
