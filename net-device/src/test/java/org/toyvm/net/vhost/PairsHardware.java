package org.toyvm.net.vhost;

import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.VirtioNetHardware;

/**
 * A NIC of {@code pairs} queue pairs and a control queue (group 1 of 2, two address spaces) that keeps
 * only the state vhost-vdpa reads back — for the frontend's multi-device order before the simulated NIC
 * has more than one pair. It processes no queue.
 */
final class PairsHardware implements VirtioNetHardware {
    private final int queues;
    private final int[] base;
    private final boolean[] ready;
    private int status;
    private boolean suspended;

    PairsHardware(int pairs) {
        this.queues = 2 * pairs + 1;
        this.base = new int[queues];
        this.ready = new boolean[queues];
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.bit(VirtioFeatures.F_VERSION_1) | VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM)
                | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ) | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ);
    }

    @Override
    public void setDriverFeatures(long features) {
    }

    @Override
    public int numQueues() {
        return queues;
    }

    @Override
    public int maxQueueSize() {
        return 256;
    }

    @Override
    public int numGroups() {
        return 2;
    }

    @Override
    public int numAddressSpaces() {
        return 2;
    }

    @Override
    public int vqGroup(int vq) {
        return vq == queues - 1 ? 1 : 0;
    }

    @Override
    public void setVqNum(int vq, int num) {
    }

    @Override
    public void setVqAddress(int vq, Iova desc, Iova avail, Iova used) {
    }

    @Override
    public void setVqBase(int vq, int b) {
        base[vq] = b;
    }

    @Override
    public int vqBase(int vq) {
        return base[vq];
    }

    @Override
    public void setVqReady(int vq, boolean r) {
        ready[vq] = r;
    }

    @Override
    public boolean vqReady(int vq) {
        return ready[vq];
    }

    @Override
    public void kick(int vq) {
    }

    @Override
    public void runQueueNow(int vq) {
    }

    @Override
    public void setCallHandler(IntConsumer call) {
    }

    @Override
    public void setTranslations(IntFunction<DmaTranslation> t) {
    }

    @Override
    public void setGroupAsid(int group, int asid) {
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public void setStatus(int s) {
        status = s;
    }

    @Override
    public void reset() {
        status = 0;
        suspended = false;
        java.util.Arrays.fill(base, 0);
        java.util.Arrays.fill(ready, false);
    }

    @Override
    public void suspend() {
        suspended = true;
    }

    @Override
    public void resume() {
        suspended = false;
    }

    @Override
    public boolean suspended() {
        return suspended && (status & VirtioStatus.DRIVER_OK) != 0;
    }

    @Override
    public int configSize() {
        return 24;
    }

    @Override
    public void readConfig(int offset, byte[] dst, int dstIndex, int len) {
    }

    @Override
    public void writeConfig(int offset, byte[] src, int srcIndex, int len) {
    }
}
