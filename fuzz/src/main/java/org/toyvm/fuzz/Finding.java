package org.toyvm.fuzz;

/**
 * The first input (shrunk) that produced one distinct failure signature on a surface.
 *
 * @param kind CRASH, ORACLE, LEAK or HANG
 * @param signature what makes two failures the same (exception class and where it was thrown, or the oracle)
 * @param count how many inputs failed this way
 * @param inputSeed the seed of the first failing input ({@code --replay surface:seed} runs it again)
 * @param message the exception or oracle message
 * @param reproducer the shrunk input, one step per line
 */
public record Finding(String surface, String kind, String signature, long count, long inputSeed, String message,
        String reproducer) {
    Finding withCount(long n) {
        return new Finding(surface, kind, signature, n, inputSeed, message, reproducer);
    }
}
