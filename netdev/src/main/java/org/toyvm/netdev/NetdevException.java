package org.toyvm.netdev;

/**
 * A {@code --netdev} the host cannot open: a local address that cannot be bound, or a stream peer that
 * cannot be connected to. The message names the netdev kind, the address and the system's reason in
 * one line (a bare {@link java.net.BindException} says only "Address already in use"), as QEMU names
 * the address when {@code -netdev dgram} or {@code -netdev stream} fails to start.
 */
public final class NetdevException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetdevException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The one-line reason of {@code t}: its message, or its class name when it has none. */
    static String reason(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getMessage() == null) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }
}
