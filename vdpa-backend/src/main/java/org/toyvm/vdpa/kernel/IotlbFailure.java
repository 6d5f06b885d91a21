package org.toyvm.vdpa.kernel;

/**
 * Why a vhost message write failed, kept for logs and tests: userspace only sees the errno
 * (EINVAL for the first three, EFAULT for every handler error).
 */
public enum IotlbFailure {
    NONE,
    /** Fewer than 40 bytes written. */
    SHORT_WRITE,
    /** Envelope type neither VHOST_IOTLB_MSG nor VHOST_IOTLB_MSG_V2. */
    BAD_ENVELOPE,
    /** UPDATE of size 0. */
    ZERO_SIZE,
    /** The writer is not the owner (no SET_OWNER yet). */
    NOT_OWNER,
    /** ASID not below the number of address spaces, or the address space does not exist. */
    BAD_ASID,
    /** A message for another ASID inside a batch. */
    ASID_CHANGE_IN_BATCH,
    /** IOVA range outside VHOST_VDPA_GET_IOVA_RANGE. */
    IOVA_RANGE,
    /** iova + size wraps past 2^64, or PA mode's page count of size + the IOVA's page offset does. */
    OVERFLOW,
    /** The range overlaps an existing mapping (-EEXIST inside). */
    OVERLAP,
    /** Pinning would exceed RLIMIT_MEMLOCK (-ENOMEM inside). */
    MEMLOCK,
    /** PA mode: a pin_user_pages batch starts at unmapped memory (-EFAULT inside). */
    UNMAPPED_UADDR,
    /** PA mode: a pin_user_pages batch runs off the end of the mapped memory, pinning part of it (-ENOMEM inside). */
    PARTIAL_PIN,
    /** VA mode: no VMA at or above the (next) uaddr (find_vma; -EINVAL inside). */
    NO_VMA,
    /** The parent's dma_map / set_map / iommu_map failed. */
    PARENT,
    /** Inner message type MISS, ACCESS_FAIL or unknown. */
    BAD_TYPE
}
