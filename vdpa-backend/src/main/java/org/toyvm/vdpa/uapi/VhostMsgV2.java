package org.toyvm.vdpa.uapi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Objects;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;

/**
 * {@code struct vhost_msg_v2}, the 72 bytes userspace writes to /dev/vhost-vdpa-N, little-endian.
 *
 * <pre>
 *  0      4      8                16               24               32   33   34          72
 *  +------+------+----------------+----------------+----------------+----+----+-----------+
 *  | type | asid | iotlb.iova     | iotlb.size     | iotlb.uaddr    |perm|type| padding   |
 *  +------+------+----------------+----------------+----------------+----+----+-----------+
 *   u32    u32    u64              u64              u64              u8   u8   (union to 64)
 * </pre>
 * {@code type} is the envelope ({@link VhostUapi#VHOST_IOTLB_MSG_V2}); {@code iotlbType} the inner
 * message type. The v1 envelope {@code struct vhost_msg} has the same size with 4 bytes of padding
 * where v2 has the asid.
 *
 * <p>The two addresses are typed: {@code iotlb.iova} is an {@link Iova} (the device's address
 * space), {@code iotlb.uaddr} an {@link Hva} (the writer's own address space). Both hold any u64, so
 * a hostile message stays representable; {@code size} is a plain u64 byte count.
 */
public record VhostMsgV2(int type, int asid, Iova iova, long size, Hva uaddr, int perm, int iotlbType) {
    public static final int SIZE = 72;
    public static final int OFF_TYPE = 0;
    public static final int OFF_ASID = 4;
    public static final int OFF_IOTLB = 8;
    public static final int OFF_IOVA = OFF_IOTLB;
    public static final int OFF_SIZE = OFF_IOTLB + 8;
    public static final int OFF_UADDR = OFF_IOTLB + 16;
    public static final int OFF_PERM = OFF_IOTLB + 24;
    public static final int OFF_IOTLB_TYPE = OFF_IOTLB + 25;

    public VhostMsgV2 {
        Objects.requireNonNull(iova, "iova");
        Objects.requireNonNull(uaddr, "uaddr");
    }

    /** The zero IOVA of messages that carry none (BATCH_BEGIN, BATCH_END). */
    public static final Iova NO_IOVA = new Iova(0);
    /** The zero user address of messages that carry none (INVALIDATE, BATCH_*, MISS, ACCESS_FAIL). */
    public static final Hva NO_UADDR = new Hva(0);

    /** A v2 message of inner type {@code iotlbType}. */
    public static VhostMsgV2 of(int asid, int iotlbType, Iova iova, long size, Hva uaddr, int perm) {
        return new VhostMsgV2(VhostUapi.VHOST_IOTLB_MSG_V2, asid, iova, size, uaddr, perm, iotlbType);
    }

    public static VhostMsgV2 update(int asid, Iova iova, long size, Hva uaddr, int perm) {
        return of(asid, VhostUapi.VHOST_IOTLB_UPDATE, iova, size, uaddr, perm);
    }

    public static VhostMsgV2 invalidate(int asid, Iova iova, long size) {
        return of(asid, VhostUapi.VHOST_IOTLB_INVALIDATE, iova, size, NO_UADDR, 0);
    }

    public static VhostMsgV2 batchBegin(int asid) {
        return of(asid, VhostUapi.VHOST_IOTLB_BATCH_BEGIN, NO_IOVA, 0, NO_UADDR, 0);
    }

    public static VhostMsgV2 batchEnd(int asid) {
        return of(asid, VhostUapi.VHOST_IOTLB_BATCH_END, NO_IOVA, 0, NO_UADDR, 0);
    }

    /** The exact 72 bytes. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_TYPE, type);
        b.putInt(OFF_ASID, asid);
        b.putLong(OFF_IOVA, iova.value());
        b.putLong(OFF_SIZE, size);
        b.putLong(OFF_UADDR, uaddr.value());
        b.put(OFF_PERM, (byte) perm);
        b.put(OFF_IOTLB_TYPE, (byte) iotlbType);
        return b.array();
    }

    /**
     * Reads a message from the first {@code len} bytes of {@code buf}; bytes past {@code len} read as
     * zero (the kernel copies what was written into a zeroed message). Needs at least 40 bytes.
     */
    public static VhostMsgV2 decode(byte[] buf, int len) {
        if (len < VhostUapi.MIN_MSG_WRITE || len > buf.length) {
            throw new IllegalArgumentException("a vhost message needs at least " + VhostUapi.MIN_MSG_WRITE
                    + " bytes, got " + len);
        }
        byte[] full = new byte[SIZE];
        System.arraycopy(buf, 0, full, 0, Math.min(len, SIZE));
        ByteBuffer b = ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN);
        return new VhostMsgV2(b.getInt(OFF_TYPE), b.getInt(OFF_ASID), new Iova(b.getLong(OFF_IOVA)),
                b.getLong(OFF_SIZE), new Hva(b.getLong(OFF_UADDR)), Byte.toUnsignedInt(b.get(OFF_PERM)),
                Byte.toUnsignedInt(b.get(OFF_IOTLB_TYPE)));
    }

    public static VhostMsgV2 decode(byte[] buf) {
        return decode(buf, buf.length);
    }

    public String hex() {
        return HexFormat.of().formatHex(encode());
    }

    public String typeName() {
        return VhostUapi.iotlbTypeName(iotlbType);
    }
}
