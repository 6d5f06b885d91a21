package org.toyvm.net.device;

/**
 * Register layout of a virtio-mmio (version 2) device, the transport the toy machine puts in its
 * PCI hole (virtio 1.x spec §4.2.2). All registers are 32-bit little-endian; device config space
 * starts at {@link #CONFIG}.
 *
 * <pre>
 * 0x000 MagicValue "virt"     0x030 QueueSel              0x070 Status
 * 0x004 Version (2)           0x034 QueueNumMax           0x080/084 QueueDescLow/High
 * 0x008 DeviceID (1 = net)    0x038 QueueNum              0x090/094 QueueDriverLow/High (avail)
 * 0x00c VendorID              0x044 QueueReady            0x0a0/0a4 QueueDeviceLow/High (used)
 * 0x010 DeviceFeatures        0x050 QueueNotify           0x0fc ConfigGeneration
 * 0x014 DeviceFeaturesSel     0x060 InterruptStatus       0x100 config space (virtio_net_config)
 * 0x020 DriverFeatures        0x064 InterruptACK
 * 0x024 DriverFeaturesSel
 * </pre>
 */
public final class VirtioMmioLayout {
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID = 0x00c;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int QUEUE_DEVICE_HIGH = 0x0a4;
    public static final int CONFIG_GENERATION = 0x0fc;
    public static final int CONFIG = 0x100;

    /** InterruptStatus bit: a used buffer was added (VIRTIO_MMIO_INT_VRING). */
    public static final int INT_VRING = 1;
    /** InterruptStatus bit: the configuration changed (VIRTIO_MMIO_INT_CONFIG). */
    public static final int INT_CONFIG = 2;

    /** "virt" in little-endian. */
    public static final int MAGIC = 0x74726976;
    public static final int MMIO_VERSION = 2;
    /** The QEMU vendor id, as QEMU's virtio-mmio uses. */
    public static final int VENDOR_QEMU = 0x554d4551;
    /** Size of the register window (one page). */
    public static final int WINDOW_SIZE = 0x1000;

    private VirtioMmioLayout() {
    }
}
