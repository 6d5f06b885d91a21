package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.testing.Golden;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

class VhostMsgV2Test {
    @Test
    void everyGoldenSampleDecodesToItsFieldsAndEncodesBackToTheSameBytes() {
        int n = 0;
        for (JsonNode s : Golden.vhostMsgV2Samples()) {
            byte[] bytes = HexFormat.of().parseHex(s.get("hex").asText());
            assertEquals(VhostMsgV2.SIZE, bytes.length, s.get("name").asText());
            VhostMsgV2 m = VhostMsgV2.decode(bytes);
            String name = s.get("name").asText();
            assertEquals(VhostUapi.VHOST_IOTLB_MSG_V2, m.type(), name);
            assertEquals(s.get("asid").asInt(), m.asid(), name);
            assertEquals(s.get("iova").asLong(), m.iova().value(), name);
            assertEquals(s.get("size").asLong(), m.size(), name);
            assertEquals(s.get("uaddr").asLong(), m.uaddr().value(), name);
            assertEquals(s.get("perm").asInt(), m.perm(), name);
            assertEquals(s.get("type").asInt(), m.iotlbType(), name);
            VhostMsgV2 built = VhostMsgV2.of(s.get("asid").asInt(), s.get("type").asInt(),
                    Iova.of(s.get("iova").asLong()), s.get("size").asLong(), Hva.of(s.get("uaddr").asLong()),
                    s.get("perm").asInt());
            assertEquals(s.get("hex").asText(), built.hex(), name);
            n++;
        }
        assertEquals(7, n);
    }

    @Test
    void layoutMatchesTheHeaders() {
        assertEquals(Golden.value("sizeof(vhost_msg_v2)"), VhostMsgV2.SIZE);
        assertEquals(Golden.value("vhost_msg_v2.type"), VhostMsgV2.OFF_TYPE);
        assertEquals(Golden.value("vhost_msg_v2.asid"), VhostMsgV2.OFF_ASID);
        assertEquals(Golden.value("vhost_msg_v2.iotlb"), VhostMsgV2.OFF_IOTLB);
        assertEquals(Golden.value("vhost_msg_v2.iotlb") + Golden.value("vhost_iotlb_msg.perm"), VhostMsgV2.OFF_PERM);
        assertEquals(Golden.value("vhost_msg_v2.iotlb") + Golden.value("vhost_iotlb_msg.type"),
                VhostMsgV2.OFF_IOTLB_TYPE);
        assertEquals(Golden.value("VHOST_IOTLB_UPDATE"), VhostUapi.VHOST_IOTLB_UPDATE);
        assertEquals(Golden.value("VHOST_IOTLB_INVALIDATE"), VhostUapi.VHOST_IOTLB_INVALIDATE);
        assertEquals(Golden.value("VHOST_IOTLB_BATCH_BEGIN"), VhostUapi.VHOST_IOTLB_BATCH_BEGIN);
        assertEquals(Golden.value("VHOST_IOTLB_BATCH_END"), VhostUapi.VHOST_IOTLB_BATCH_END);
        assertEquals(Golden.value("VHOST_IOTLB_MISS"), VhostUapi.VHOST_IOTLB_MISS);
        assertEquals(Golden.value("VHOST_IOTLB_ACCESS_FAIL"), VhostUapi.VHOST_IOTLB_ACCESS_FAIL);
        assertEquals(Golden.value("VHOST_ACCESS_RW"), VhostUapi.VHOST_ACCESS_RW);
        assertEquals(Golden.value("VHOST_BACKEND_F_IOTLB_ASID"), VhostUapi.F_IOTLB_ASID);
        assertEquals(Golden.value("VHOST_BACKEND_F_SUSPEND"), VhostUapi.F_SUSPEND);
    }

    /** The typed addresses hold any u64: hostile values survive encode and decode bit for bit. */
    @Test
    void hostileAddressesStayRepresentable() {
        long[] values = {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1L, 0xffff_f000_0000_0000L};
        for (long iova : values) {
            for (long uaddr : values) {
                VhostMsgV2 m = VhostMsgV2.update(0, Iova.of(iova), -1L, Hva.of(uaddr), 0xff);
                VhostMsgV2 back = VhostMsgV2.decode(m.encode());
                assertEquals(m, back);
                assertEquals(iova, back.iova().value());
                assertEquals(uaddr, back.uaddr().value());
            }
        }
    }
}
