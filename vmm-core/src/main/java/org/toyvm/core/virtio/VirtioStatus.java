package org.toyvm.core.virtio;

import java.util.StringJoiner;

/** Device status bits (virtio 1.x §2.1). */
public final class VirtioStatus {
    public static final int ACKNOWLEDGE = 1;
    public static final int DRIVER = 2;
    public static final int DRIVER_OK = 4;
    public static final int FEATURES_OK = 8;
    public static final int NEEDS_RESET = 0x40;
    public static final int FAILED = 0x80;

    private VirtioStatus() {
    }

    /** "ACKNOWLEDGE|DRIVER|FEATURES_OK" for logs; "0" for a reset device. */
    public static String describe(int status) {
        if (status == 0) {
            return "0";
        }
        StringJoiner j = new StringJoiner("|");
        String[] names = {"ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", null, null, "NEEDS_RESET", "FAILED"};
        for (int b = 0; b < 8; b++) {
            if ((status & (1 << b)) != 0) {
                j.add(names[b] != null ? names[b] : "0x" + Integer.toHexString(1 << b));
            }
        }
        return j.toString();
    }
}
