package org.toyvm.cli;

/**
 * A failure after the run began (an output that could not be written, a run that failed inside):
 * exit code 1 and one line on stderr; whatever report there is has been printed already.
 */
final class RunFailure extends Exception {
    private static final long serialVersionUID = 1L;

    RunFailure(String message) {
        super(message);
    }
}
