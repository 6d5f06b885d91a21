package org.toyvm.core.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.core.testing.Golden.value;

import org.junit.jupiter.api.Test;

/** Every constant and offset against the values compiled from the real Linux uAPI headers. */
class VirtioGoldenTest {
    @Test
    void status() {
        assertEquals(value("VIRTIO_CONFIG_S_ACKNOWLEDGE"), VirtioStatus.ACKNOWLEDGE);
        assertEquals(value("VIRTIO_CONFIG_S_DRIVER"), VirtioStatus.DRIVER);
        assertEquals(value("VIRTIO_CONFIG_S_DRIVER_OK"), VirtioStatus.DRIVER_OK);
        assertEquals(value("VIRTIO_CONFIG_S_FEATURES_OK"), VirtioStatus.FEATURES_OK);
        assertEquals(value("VIRTIO_CONFIG_S_NEEDS_RESET"), VirtioStatus.NEEDS_RESET);
        assertEquals(value("VIRTIO_CONFIG_S_FAILED"), VirtioStatus.FAILED);
        assertEquals("ACKNOWLEDGE|DRIVER|DRIVER_OK|FEATURES_OK", VirtioStatus.describe(15));
    }

    @Test
    void features() {
        assertEquals(value("VIRTIO_F_NOTIFY_ON_EMPTY"), VirtioFeatures.F_NOTIFY_ON_EMPTY);
        assertEquals(value("VIRTIO_F_ANY_LAYOUT"), VirtioFeatures.F_ANY_LAYOUT);
        assertEquals(value("VIRTIO_RING_F_INDIRECT_DESC"), VirtioFeatures.RING_F_INDIRECT_DESC);
        assertEquals(value("VIRTIO_RING_F_EVENT_IDX"), VirtioFeatures.RING_F_EVENT_IDX);
        assertEquals(value("VIRTIO_F_VERSION_1"), VirtioFeatures.F_VERSION_1);
        assertEquals(value("VIRTIO_F_ACCESS_PLATFORM"), VirtioFeatures.F_ACCESS_PLATFORM);
        assertEquals(value("VIRTIO_F_RING_PACKED"), VirtioFeatures.F_RING_PACKED);
        assertEquals(value("VIRTIO_F_IN_ORDER"), VirtioFeatures.F_IN_ORDER);
        assertEquals(value("VIRTIO_F_ORDER_PLATFORM"), VirtioFeatures.F_ORDER_PLATFORM);
        assertEquals(value("VIRTIO_NET_F_CSUM"), VirtioFeatures.NET_F_CSUM);
        assertEquals(value("VIRTIO_NET_F_GUEST_CSUM"), VirtioFeatures.NET_F_GUEST_CSUM);
        assertEquals(value("VIRTIO_NET_F_MTU"), VirtioFeatures.NET_F_MTU);
        assertEquals(value("VIRTIO_NET_F_MAC"), VirtioFeatures.NET_F_MAC);
        assertEquals(value("VIRTIO_NET_F_MRG_RXBUF"), VirtioFeatures.NET_F_MRG_RXBUF);
        assertEquals(value("VIRTIO_NET_F_STATUS"), VirtioFeatures.NET_F_STATUS);
        assertEquals(value("VIRTIO_NET_F_CTRL_VQ"), VirtioFeatures.NET_F_CTRL_VQ);
        assertEquals(value("VIRTIO_NET_F_CTRL_RX"), VirtioFeatures.NET_F_CTRL_RX);
        assertEquals(value("VIRTIO_NET_F_CTRL_VLAN"), VirtioFeatures.NET_F_CTRL_VLAN);
        assertEquals(value("VIRTIO_NET_F_GUEST_ANNOUNCE"), VirtioFeatures.NET_F_GUEST_ANNOUNCE);
        assertEquals(value("VIRTIO_NET_F_MQ"), VirtioFeatures.NET_F_MQ);
        assertEquals(value("VIRTIO_NET_F_CTRL_MAC_ADDR"), VirtioFeatures.NET_F_CTRL_MAC_ADDR);
        assertEquals(value("VIRTIO_ID_NET"), 1);
        assertEquals("MAC|VERSION_1", VirtioFeatures.describe(VirtioFeatures.bit(5) | VirtioFeatures.bit(32)));
    }

    @Test
    void splitRingLayout() {
        assertEquals(value("sizeof(vring_desc)"), SplitRing.DESC_SIZE);
        assertEquals(value("vring_desc.addr"), SplitRing.DESC_ADDR);
        assertEquals(value("vring_desc.len"), SplitRing.DESC_LEN);
        assertEquals(value("vring_desc.flags"), SplitRing.DESC_FLAGS);
        assertEquals(value("vring_desc.next"), SplitRing.DESC_NEXT);
        assertEquals(value("VRING_DESC_F_NEXT"), SplitRing.DESC_F_NEXT);
        assertEquals(value("VRING_DESC_F_WRITE"), SplitRing.DESC_F_WRITE);
        assertEquals(value("VRING_DESC_F_INDIRECT"), SplitRing.DESC_F_INDIRECT);
        assertEquals(value("vring_avail.flags"), SplitRing.AVAIL_FLAGS);
        assertEquals(value("vring_avail.idx"), SplitRing.AVAIL_IDX);
        assertEquals(value("vring_avail.ring"), SplitRing.AVAIL_RING);
        assertEquals(value("sizeof(vring_avail)"), SplitRing.availRing(0));
        assertEquals(value("VRING_AVAIL_F_NO_INTERRUPT"), SplitRing.AVAIL_F_NO_INTERRUPT);
        assertEquals(value("vring_used.flags"), SplitRing.USED_FLAGS);
        assertEquals(value("vring_used.idx"), SplitRing.USED_IDX);
        assertEquals(value("vring_used.ring"), SplitRing.USED_RING);
        assertEquals(value("sizeof(vring_used_elem)"), SplitRing.USED_ELEM_SIZE);
        assertEquals(value("vring_used_elem.id"), SplitRing.USED_ELEM_ID);
        assertEquals(value("vring_used_elem.len"), SplitRing.USED_ELEM_LEN);
        assertEquals(value("VRING_USED_F_NO_NOTIFY"), SplitRing.USED_F_NO_NOTIFY);
        assertEquals(value("VRING_DESC_ALIGN_SIZE"), SplitRing.DESC_ALIGN);
        assertEquals(value("VRING_AVAIL_ALIGN_SIZE"), SplitRing.AVAIL_ALIGN);
        assertEquals(value("VRING_USED_ALIGN_SIZE"), SplitRing.USED_ALIGN);
        assertEquals(value("vring_size(256,4096)"), SplitRing.vringSize(256, 4096));
        assertEquals(value("vring_size(1024,4096)"), SplitRing.vringSize(1024, 4096));
        assertTrue(SplitRing.validSize(1) && SplitRing.validSize(32768));
        assertFalse(SplitRing.validSize(0) || SplitRing.validSize(3) || SplitRing.validSize(65536));
        // need_event: notify when the event index lies in (old, new].
        assertTrue(SplitRing.needEvent(5, 6, 5));
        assertFalse(SplitRing.needEvent(6, 6, 5));
        assertTrue(SplitRing.needEvent(0xffff, 0, 0xfffe), "wraps at 2^16");
    }

    @Test
    void netConfigAndHeader() {
        assertEquals(value("sizeof(virtio_net_config)"), VirtioNet.CONFIG_SIZE);
        assertEquals(value("virtio_net_config.mac"), VirtioNet.CONFIG_MAC);
        assertEquals(value("virtio_net_config.status"), VirtioNet.CONFIG_STATUS);
        assertEquals(value("virtio_net_config.max_virtqueue_pairs"), VirtioNet.CONFIG_MAX_VQ_PAIRS);
        assertEquals(value("virtio_net_config.mtu"), VirtioNet.CONFIG_MTU);
        assertEquals(value("VIRTIO_NET_S_LINK_UP"), VirtioNet.S_LINK_UP);
        assertEquals(value("VIRTIO_NET_S_ANNOUNCE"), VirtioNet.S_ANNOUNCE);
        assertEquals(value("sizeof(virtio_net_hdr_v1)"), VirtioNet.HDR_V1_SIZE);
        assertEquals(value("sizeof(virtio_net_hdr)"), VirtioNet.HDR_LEGACY_SIZE);
        assertEquals(value("virtio_net_hdr_v1.flags"), VirtioNet.HDR_FLAGS);
        assertEquals(value("virtio_net_hdr_v1.gso_type"), VirtioNet.HDR_GSO_TYPE);
        assertEquals(value("virtio_net_hdr_v1.hdr_len"), VirtioNet.HDR_HDR_LEN);
        assertEquals(value("virtio_net_hdr_v1.gso_size"), VirtioNet.HDR_GSO_SIZE);
        assertEquals(value("virtio_net_hdr_v1.csum_start"), VirtioNet.HDR_CSUM_START);
        assertEquals(value("virtio_net_hdr_v1.csum_offset"), VirtioNet.HDR_CSUM_OFFSET);
        assertEquals(value("virtio_net_hdr_v1.num_buffers"), VirtioNet.HDR_NUM_BUFFERS);
        assertEquals(1, VirtioNet.txQueue(0));
        assertEquals(2, VirtioNet.controlQueue(1));
    }
}
