package org.toyvm.vm.report;

/** The named machine-shape axes of a matrix cell or sweep point, as a suffix of its name. */
final class ShapeLabel {
    private ShapeLabel() {
    }

    /** "/hugetlb-1G/nics=2/queues=4" with only the axes that are named (non-null); "" when none is. */
    static String suffix(String memoryBackend, Integer nics, Integer queuePairs) {
        StringBuilder sb = new StringBuilder();
        if (memoryBackend != null) {
            sb.append('/').append(memoryBackend);
        }
        if (nics != null) {
            sb.append("/nics=").append(nics);
        }
        if (queuePairs != null) {
            sb.append("/queues=").append(queuePairs);
        }
        return sb.toString();
    }
}
