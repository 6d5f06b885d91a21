package org.toyvm.net.vhost;

/**
 * What the frontend did, counted: the IOTLB messages it wrote, by type and by address space (ASID 0
 * holds guest memory, mapped by the listener; ASID 1 the shadowed CVQ's bounce buffers and rings,
 * VHOST_VDPA_NET_CVQ_ASID), and those the kernel refused; and the control-plane steps a reboot's explanation is built from (device resets, SUSPENDs, ring bases
 * read or not, listener registrations).
 */
public final class FrontendCounters {
    long update;
    long bytesMapped;
    long invalidate;
    /** Of {@link #update}, {@link #bytesMapped} and {@link #invalidate}: those in an address space other than 0. */
    long cvqUpdate;
    long cvqBytesMapped;
    long cvqInvalidate;
    long batchBegin;
    long batchEnd;
    long failed;
    long deviceResets;
    long readyAfterReset;
    long fallbackResets;
    long virtioResets;
    long suspends;
    long vringBasesRead;
    long ringRestoreFailed;
    long listenerRegistered;
    long listenerUnregistered;
    long cvqCommands;
    long cvqGuestChains;
    long cvqGuestDropped;
    long cvqGuestMalformed;
    long cvqGuestNoAck;
    long cvqGuestBroken;

    public long update() {
        return update;
    }

    /** Bytes the UPDATE messages covered, in every address space. */
    public long bytesMapped() {
        return bytesMapped;
    }

    public long invalidate() {
        return invalidate;
    }

    /** UPDATEs in ASID 0: guest memory (the listener's sections). */
    public long guestUpdate() {
        return update - cvqUpdate;
    }

    /** Bytes of guest memory the ASID-0 UPDATEs covered (every time it was mapped). */
    public long guestBytesMapped() {
        return bytesMapped - cvqBytesMapped;
    }

    /** INVALIDATEs in ASID 0: guest memory. */
    public long guestInvalidate() {
        return invalidate - cvqInvalidate;
    }

    /** UPDATEs in the shadowed CVQ's address space (ASID 1): its bounce buffers and shadow ring. */
    public long cvqUpdate() {
        return cvqUpdate;
    }

    /** INVALIDATEs in the shadowed CVQ's address space (ASID 1). */
    public long cvqInvalidate() {
        return cvqInvalidate;
    }

    public long batchBegin() {
        return batchBegin;
    }

    public long batchEnd() {
        return batchEnd;
    }

    public long failed() {
        return failed;
    }

    /** IOTLB messages written (every type). */
    public long total() {
        return update + invalidate + batchBegin + batchEnd;
    }

    /** SET_STATUS 0 sent ({@code vhost_vdpa_reset_device}, whoever called it). */
    public long deviceResets() {
        return deviceResets;
    }

    /** ACK|DRIVER set again after a reset ({@code vhost_vdpa_reset_status}). */
    public long readyAfterReset() {
        return readyAfterReset;
    }

    /** SET_STATUS 0 sent by vhost_vdpa_suspend in place of a SUSPEND (not acked, or refused). */
    public long fallbackResets() {
        return fallbackResets;
    }

    /** SET_STATUS 0 sent by virtio_reset → vhost_reset_device after the stop (QEMU 9.2+). */
    public long virtioResets() {
        return virtioResets;
    }

    /** VHOST_VDPA_SUSPEND calls that succeeded. */
    public long suspends() {
        return suspends;
    }

    /** VHOST_GET_VRING_BASE calls. */
    public long vringBasesRead() {
        return vringBasesRead;
    }

    /**
     * Virtqueues whose base was not read because their device was not marked suspended: QEMU logs
     * "vhost VQ N ring restore failed" and takes the guest's used index instead.
     */
    public long ringRestoreFailed() {
        return ringRestoreFailed;
    }

    /** memory_listener_register calls (each maps every RAM section). */
    public long listenerRegistered() {
        return listenerRegistered;
    }

    /** memory_listener_unregister calls that found the listener registered (each unmaps every section). */
    public long listenerUnregistered() {
        return listenerUnregistered;
    }

    /** Commands QEMU sent through the shadow control queue (state loads and the guest's, forwarded). */
    public long cvqCommands() {
        return cvqCommands;
    }

    /** Chains QEMU popped from the guest's shadowed control queue. */
    public long cvqGuestChains() {
        return cvqGuestChains;
    }

    /** Guest control chains whose walk failed: returned with used length 0. */
    public long cvqGuestDropped() {
        return cvqGuestDropped;
    }

    /** Guest commands refused without reaching the device (shorter than the header, longer than the bounce buffer). */
    public long cvqGuestMalformed() {
        return cvqGuestMalformed;
    }

    /** Guest commands whose ack could not be written (no writable byte, or not in RAM): pushed with length 0. */
    public long cvqGuestNoAck() {
        return cvqGuestNoAck;
    }

    /** Kicks that found the guest's control ring untrustworthy (the queue stops until the next start). */
    public long cvqGuestBroken() {
        return cvqGuestBroken;
    }

    /** A copy (for differences across a reboot). */
    public FrontendCounters snapshot() {
        return minus(new FrontendCounters());
    }

    /** {@code this - earlier}. */
    public FrontendCounters minus(FrontendCounters earlier) {
        FrontendCounters c = new FrontendCounters();
        c.update = update - earlier.update;
        c.bytesMapped = bytesMapped - earlier.bytesMapped;
        c.invalidate = invalidate - earlier.invalidate;
        c.cvqUpdate = cvqUpdate - earlier.cvqUpdate;
        c.cvqBytesMapped = cvqBytesMapped - earlier.cvqBytesMapped;
        c.cvqInvalidate = cvqInvalidate - earlier.cvqInvalidate;
        c.batchBegin = batchBegin - earlier.batchBegin;
        c.batchEnd = batchEnd - earlier.batchEnd;
        c.failed = failed - earlier.failed;
        c.deviceResets = deviceResets - earlier.deviceResets;
        c.readyAfterReset = readyAfterReset - earlier.readyAfterReset;
        c.fallbackResets = fallbackResets - earlier.fallbackResets;
        c.virtioResets = virtioResets - earlier.virtioResets;
        c.suspends = suspends - earlier.suspends;
        c.vringBasesRead = vringBasesRead - earlier.vringBasesRead;
        c.ringRestoreFailed = ringRestoreFailed - earlier.ringRestoreFailed;
        c.listenerRegistered = listenerRegistered - earlier.listenerRegistered;
        c.listenerUnregistered = listenerUnregistered - earlier.listenerUnregistered;
        c.cvqCommands = cvqCommands - earlier.cvqCommands;
        c.cvqGuestChains = cvqGuestChains - earlier.cvqGuestChains;
        c.cvqGuestDropped = cvqGuestDropped - earlier.cvqGuestDropped;
        c.cvqGuestMalformed = cvqGuestMalformed - earlier.cvqGuestMalformed;
        c.cvqGuestNoAck = cvqGuestNoAck - earlier.cvqGuestNoAck;
        c.cvqGuestBroken = cvqGuestBroken - earlier.cvqGuestBroken;
        return c;
    }
}
