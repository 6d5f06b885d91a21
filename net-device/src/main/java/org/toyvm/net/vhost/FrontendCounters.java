package org.toyvm.net.vhost;

/** IOTLB messages the frontend wrote, by type, and those the kernel refused. */
public final class FrontendCounters {
    long update;
    long invalidate;
    long batchBegin;
    long batchEnd;
    long failed;

    public long update() {
        return update;
    }

    public long invalidate() {
        return invalidate;
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

    public long total() {
        return update + invalidate + batchBegin + batchEnd;
    }

    /** A copy (for differences across a reboot). */
    public FrontendCounters snapshot() {
        FrontendCounters c = new FrontendCounters();
        c.update = update;
        c.invalidate = invalidate;
        c.batchBegin = batchBegin;
        c.batchEnd = batchEnd;
        c.failed = failed;
        return c;
    }

    /** {@code this - earlier}. */
    public FrontendCounters minus(FrontendCounters earlier) {
        FrontendCounters c = new FrontendCounters();
        c.update = update - earlier.update;
        c.invalidate = invalidate - earlier.invalidate;
        c.batchBegin = batchBegin - earlier.batchBegin;
        c.batchEnd = batchEnd - earlier.batchEnd;
        c.failed = failed - earlier.failed;
        return c;
    }
}
