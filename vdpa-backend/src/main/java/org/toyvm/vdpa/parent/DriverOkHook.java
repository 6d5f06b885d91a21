package org.toyvm.vdpa.parent;

import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.QueuePairsListener;
import org.toyvm.hw.api.VirtioNetHardware;

/**
 * The hardware as vhost-vdpa reaches it through a parent's ops: every call goes to the device, and
 * the parent runs its own work when DRIVER_OK is first set (mlx5_vdpa's {@code mlx5_vdpa_set_status}
 * creates or resumes its hardware virtqueues there) before the device sees the status. It also
 * remembers which virtqueues have a size ({@code set_vq_num}, mlx5's {@code mvq->num_ent}) since the
 * last reset: those are the ones mlx5's {@code setup_vq} creates.
 */
final class DriverOkHook implements VirtioNetHardware {
    private final VirtioNetHardware hw;
    private final Runnable beforeDriverOk;
    private final boolean[] sized;
    /** mlx5's {@code group2asid}: set by set_group_asid, back to 0 at reset ({@code init_group_to_asid_map}). */
    private final int[] groupAsid;

    DriverOkHook(VirtioNetHardware hw, Runnable beforeDriverOk) {
        this.hw = hw;
        this.beforeDriverOk = beforeDriverOk;
        this.sized = new boolean[Math.max(0, hw.numQueues())];
        this.groupAsid = new int[Math.max(1, hw.numGroups())];
    }

    /** The address space virtqueue group {@code group} is bound to (0 for a group the device does not have). */
    int asidOfGroup(int group) {
        return group >= 0 && group < groupAsid.length ? groupAsid[group] : 0;
    }

    /**
     * Virtqueues of {@code group} given a non-zero size since the last reset ({@code setup_vq} skips
     * {@code !num_ent}).
     */
    int sizedQueues(int group) {
        int n = 0;
        for (int vq = 0; vq < sized.length; vq++) {
            if (sized[vq] && hw.vqGroup(vq) == group) {
                n++;
            }
        }
        return n;
    }

    /** Virtqueues of {@code group} that have a size and are ready (enabled by SET_VRING_ENABLE). */
    int runningQueues(int group) {
        return runningQueues(group, 0, sized.length);
    }

    /** {@link #runningQueues(int)} among virtqueues {@code [from, to)} (clamped to the device's). */
    int runningQueues(int group, int from, int to) {
        int n = 0;
        for (int vq = Math.max(0, from); vq < Math.min(to, sized.length); vq++) {
            if (sized[vq] && hw.vqGroup(vq) == group && hw.vqReady(vq)) {
                n++;
            }
        }
        return n;
    }

    /** Whether virtqueue {@code vq} was given a non-zero size since the last reset (false for an index out of range). */
    boolean isSized(int vq) {
        return vq >= 0 && vq < sized.length && sized[vq];
    }

    /** Virtqueues of {@code group} the device has. */
    int queuesOf(int group) {
        return queuesOf(group, 0, sized.length);
    }

    /** {@link #queuesOf(int)} among virtqueues {@code [from, to)} (clamped to the device's). */
    int queuesOf(int group, int from, int to) {
        int n = 0;
        for (int vq = Math.max(0, from); vq < Math.min(to, sized.length); vq++) {
            if (hw.vqGroup(vq) == group) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void setStatus(int status) {
        if ((status & VirtioStatus.DRIVER_OK) != 0 && (hw.status() & VirtioStatus.DRIVER_OK) == 0) {
            beforeDriverOk.run();
        }
        hw.setStatus(status);
    }

    @Override
    public long deviceFeatures() {
        return hw.deviceFeatures();
    }

    @Override
    public void setDriverFeatures(long features) {
        hw.setDriverFeatures(features);
    }

    @Override
    public int numQueues() {
        return hw.numQueues();
    }

    @Override
    public int maxQueueSize() {
        return hw.maxQueueSize();
    }

    @Override
    public int numGroups() {
        return hw.numGroups();
    }

    @Override
    public int numAddressSpaces() {
        return hw.numAddressSpaces();
    }

    @Override
    public int vqGroup(int vq) {
        return hw.vqGroup(vq);
    }

    @Override
    public int vqDescGroup(int vq) {
        return hw.vqDescGroup(vq);
    }

    @Override
    public boolean enableDescGroup() {
        return hw.enableDescGroup();
    }

    @Override
    public void setVqNum(int vq, int num) {
        if (vq >= 0 && vq < sized.length) {
            sized[vq] = num != 0;
        }
        hw.setVqNum(vq, num);
    }

    @Override
    public void setVqAddress(int vq, Iova desc, Iova avail, Iova used) {
        hw.setVqAddress(vq, desc, avail, used);
    }

    @Override
    public void setVqBase(int vq, int base) {
        hw.setVqBase(vq, base);
    }

    @Override
    public int vqBase(int vq) {
        return hw.vqBase(vq);
    }

    @Override
    public void setVqReady(int vq, boolean ready) {
        hw.setVqReady(vq, ready);
    }

    @Override
    public boolean vqReady(int vq) {
        return hw.vqReady(vq);
    }

    @Override
    public void kick(int vq) {
        hw.kick(vq);
    }

    @Override
    public void runQueueNow(int vq) {
        hw.runQueueNow(vq);
    }

    @Override
    public void setCallHandler(IntConsumer call) {
        hw.setCallHandler(call);
    }

    @Override
    public void setTranslations(IntFunction<DmaTranslation> translationForAsid) {
        hw.setTranslations(translationForAsid);
    }

    @Override
    public void setGroupAsid(int group, int asid) {
        if (group >= 0 && group < groupAsid.length) {
            groupAsid[group] = asid;
        }
        hw.setGroupAsid(group, asid);
    }

    @Override
    public void setQueuePairsListener(QueuePairsListener listener) {
        hw.setQueuePairsListener(listener);
    }

    @Override
    public int status() {
        return hw.status();
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(sized, false);
        java.util.Arrays.fill(groupAsid, 0);
        hw.reset();
    }

    @Override
    public void suspend() {
        hw.suspend();
    }

    @Override
    public void resume() {
        hw.resume();
    }

    @Override
    public boolean suspended() {
        return hw.suspended();
    }

    @Override
    public int configSize() {
        return hw.configSize();
    }

    @Override
    public void readConfig(int offset, byte[] dst, int dstIndex, int len) {
        hw.readConfig(offset, dst, dstIndex, len);
    }

    @Override
    public void writeConfig(int offset, byte[] src, int srcIndex, int len) {
        hw.writeConfig(offset, src, srcIndex, len);
    }
}
