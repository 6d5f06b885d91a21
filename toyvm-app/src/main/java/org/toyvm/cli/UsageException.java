package org.toyvm.cli;

/** A user error found after parsing (a bad combination of options): exit code 2, one line. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
