package org.toyvm.fuzz;

import org.toyvm.netdev.CountingAllocator;

/** The netdev {@link CountingAllocator} with the fuzz LEAK oracle on top. */
public final class TrackingAllocator extends CountingAllocator {

    /** Fails the LEAK oracle {@code what} when a buffer is still referenced; then forgets them all. */
    public void checkAllReleased(String what) {
        int live = live();
        int total = made();
        forget();
        if (live != 0) {
            throw OracleFailure.leak(what, live + " of " + total + " buffers still referenced");
        }
    }
}
