package org.toyvm.vdpa.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.QueuePairsListener;
import org.toyvm.hw.api.VirtioNetHardware;

/**
 * A hardware double for kernel-model tests (and, through this module's test-jar, net-device's frontend
 * tests): keeps the state the parents and vhost-vdpa set and records calls. It processes no queue.
 */
public final class FakeNetHardware implements VirtioNetHardware {
    public final List<String> calls = new ArrayList<>();
    public IntFunction<DmaTranslation> translations;
    int status;
    boolean suspended;
    final int[] num;
    final int[] base;
    final boolean[] ready;
    final int[] groupAsid = new int[3];
    /** The parent enabled the data queues' descriptor group (group 2), as mlx5_vdpa 6.7+ does. */
    boolean descGroup;
    /** Whether {@link #enableDescGroup()} succeeds (mlx5's {@code desc_group_mkey_supported}); set before the parent. */
    public boolean descGroupCapable = true;
    final byte[] config = new byte[24];
    private final long features;

    /** One queue pair and the control queue (virtqueues 0, 1 and 2). */
    public FakeNetHardware() {
        this(1);
    }

    /**
     * {@code pairs} queue pairs (virtqueues 0..2·pairs−1) and the control queue at 2·pairs; with more
     * than one pair it also offers VIRTIO_NET_F_MQ, as a multiqueue device does.
     */
    public FakeNetHardware(int pairs) {
        features = 0x308830028L | (pairs > 1 ? VirtioFeatures.bit(VirtioFeatures.NET_F_MQ) : 0);
        num = new int[2 * pairs + 1];
        base = new int[2 * pairs + 1];
        ready = new boolean[2 * pairs + 1];
    }

    @Override
    public long deviceFeatures() {
        return features;
    }

    @Override
    public void setDriverFeatures(long features) {
        calls.add("features " + Long.toHexString(features));
    }

    @Override
    public int numQueues() {
        return num.length;
    }

    @Override
    public int maxQueueSize() {
        return 256;
    }

    @Override
    public int numGroups() {
        return descGroup ? 3 : 2;
    }

    @Override
    public int numAddressSpaces() {
        return 2;
    }

    @Override
    public int vqGroup(int vq) {
        return vq == num.length - 1 ? 1 : 0;
    }

    @Override
    public int vqDescGroup(int vq) {
        return descGroup && vq != num.length - 1 ? 2 : vqGroup(vq);
    }

    @Override
    public boolean enableDescGroup() {
        descGroup = descGroupCapable;
        return descGroup;
    }

    @Override
    public void setVqNum(int vq, int n) {
        num[vq] = n;
    }

    @Override
    public void setVqAddress(int vq, Iova desc, Iova avail, Iova used) {
        calls.add("addr " + vq);
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
        calls.add("kick " + vq);
    }

    @Override
    public void runQueueNow(int vq) {
        calls.add("run " + vq);
    }

    @Override
    public void setCallHandler(IntConsumer call) {
    }

    private QueuePairsListener pairsListener = (from, to) -> { };

    @Override
    public void setQueuePairsListener(QueuePairsListener listener) {
        this.pairsListener = listener;
    }

    /** The control queue applied VQ_PAIRS_SET {@code to} with {@code from} pairs in use: tells the listener. */
    public void applyPairs(int from, int to) {
        pairsListener.pairsChanged(from, to);
    }

    @Override
    public void setTranslations(IntFunction<DmaTranslation> translationForAsid) {
        this.translations = translationForAsid;
    }

    @Override
    public void setGroupAsid(int group, int asid) {
        groupAsid[group] = asid;
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
        calls.add("reset");
        status = 0;
        suspended = false;
        java.util.Arrays.fill(base, 0);
        java.util.Arrays.fill(ready, false);
    }

    @Override
    public void suspend() {
        suspended = true;
        calls.add("suspend");
    }

    @Override
    public void resume() {
        suspended = false;
        calls.add("resume");
    }

    @Override
    public boolean suspended() {
        return suspended;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public void readConfig(int offset, byte[] dst, int dstIndex, int len) {
        System.arraycopy(config, offset, dst, dstIndex, len);
    }

    @Override
    public void writeConfig(int offset, byte[] src, int srcIndex, int len) {
        System.arraycopy(src, srcIndex, config, offset, len);
    }
}
