package org.toyvm.core.cost;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.toyvm.core.units.Durations;

/**
 * The modelled hardware and software costs the virtual clock charges, all in nanoseconds.
 *
 * <p>The {@code default} profile is calibrated on the published figures of
 * {@code docs/measurements.md}; each figure names its source below and in the README. Figures
 * with no published source are assumptions, named as such and kept within what the published
 * figures allow.
 *
 * <table>
 * <caption>default profile</caption>
 * <tr><th>key</th><th>value</th><th>source</th></tr>
 * <tr><td>pin_per_page</td><td>76ns</td><td>J. Palmer, qemu-devel 2025-06-06: pinning warm THP memory
 *     ≈ 0.020 s/GB = 76 ns per 4 KiB page; charged per 4 KiB page on every memory backend, which for
 *     anon (4 KiB), memfd and hugetlb is an assumption (no published per-backend figure)</td></tr>
 * <tr><td>unpin_per_page</td><td>38ns</td><td>assumption: half of pinning (no fault-in)</td></tr>
 * <tr><td>iommu_map_per_page</td><td>190ns</td><td>inference from QEMU commit e88eeb089f33 (10.1): pin+map
 *     ≈ 0.07 s/GB combined, minus pinning's 0.020 s/GB = 0.05 s/GB = 190 ns/page</td></tr>
 * <tr><td>iommu_unmap_per_page</td><td>48ns</td><td>assumption: a quarter of mapping</td></tr>
 * <tr><td>mr_build_per_gib</td><td>50ms</td><td>same inference as iommu_map_per_page, for the mlx5 MR
 *     (mkey) built from the table: 0.05 s/GB</td></tr>
 * <tr><td>mr_destroy_per_gib</td><td>6ms</td><td>assumption: 1/8 of building (D. Tatulea's series reports
 *     deletion as the cheaper operation)</td></tr>
 * <tr><td>dma_map_call</td><td>1us</td><td>assumption: vdpa_sim dma_map/unmap bookkeeping per call</td></tr>
 * <tr><td>iotlb_write</td><td>2us</td><td>assumption: one write() syscall into vhost-vdpa</td></tr>
 * <tr><td>ioctl</td><td>1us</td><td>assumption: one ioctl syscall</td></tr>
 * <tr><td>suspend</td><td>2.5ms</td><td>a whole-device suspend of the parents other than mlx5 (vdpa_sim, platform):
 *     D. Tatulea's mlx5 parallel figure for 32 VQs, 2.5 ms (an assumption for those parents)</td></tr>
 * <tr><td>resume</td><td>5ms</td><td>likewise: the same series' resume, 5 ms</td></tr>
 * <tr><td>device_reset</td><td>1ms</td><td>assumption</td></tr>
 * <tr><td>guest_boot</td><td>2s</td><td>assumption: a minimal guest from reset to driver probe</td></tr>
 * <tr><td>wire_latency</td><td>50us</td><td>assumption: one-way latency to the peer</td></tr>
 * <tr><td>suspend_vq_serial</td><td>1156250ns</td><td>D. Tatulea, "[PATCH vhost 0/7] vdpa/mlx5: Parallelize device
 *     suspend/resume" (2024-08-02, Linux 6.12): mlx5_vdpa_suspend before the series, 1 device × 32 VQs, 256 GB VM:
 *     37 ms; before 6.12 {@code suspend_vqs} walks the {@code cur_num_vqs} virtqueues one by one (modify to
 *     SUSPEND, then query), so the model charges 37 ms / 32 per virtqueue. Spreading the whole figure evenly is an
 *     assumption: it also holds the device's constant part (the link notifier's unregister and workqueue flush,
 *     which the series' last patch removed), so a device of few virtqueues is charged a little too little</td></tr>
 * <tr><td>resume_vq_serial</td><td>500us</td><td>same series: mlx5_vdpa_resume before it, 16 ms / 32 per
 *     virtqueue ({@code resume_vq}: modify to RDY); before 6.12 also DRIVER_OK's {@code resume_vqs} on 6.11</td></tr>
 * <tr><td>mr_build_serial_per_gib</td><td>200ms</td><td>D. Tatulea, "[PATCH vhost 0/7] vdpa/mlx5: Optimze MKEY
 *     operations" (2024-08-21; "vdpa/mlx5: Create direct MKEYs in parallel", 0071b138d44a, 6.12):
 *     create_user_mr() 3–5× faster; assumption: the middle, 4 × mr_build_per_gib</td></tr>
 * <tr><td>mr_destroy_serial_per_gib</td><td>48ms</td><td>same series: destroy_user_mr() 8× faster, so
 *     8 × mr_destroy_per_gib</td></tr>
 * <tr><td>vq_create</td><td>11.6ms</td><td>D. Tatulea, "[PATCH vhost v3 00/24] vdpa/mlx5: Pre-create HW VQs to
 *     reduce LM downtime" (2024-07-08, Linux 6.11): full VQ resource creation + resume of 16 VQ pairs
 *     about 370 ms before the series, so 370 / 32 = 11.6 ms per virtqueue</td></tr>
 * <tr><td>cvq_command</td><td>5us</td><td>H. Jiawei, "[PATCH v4 0/8] vdpa: Send all CVQ state load commands in
 *     parallel" (qemu-devel, 2023-08-29): vhost_vdpa_net_load() of 4099 commands took 20455 us polling each
 *     command (about 5 us per shadow-CVQ round trip) and 13732 us in parallel, on vp_vdpa in a nested guest;
 *     charged per command, parallel or not, on every parent (an assumption for mlx5, whose control queue is
 *     the driver's software {@code mlx5_cvq_kick_handler}: no published per-command figure)</td></tr>
 * <tr><td>suspend_batch</td><td>1156250ns</td><td>6.12 parallel suspend ({@code suspend_vqs(ndev, 0, n)}:
 *     {@code modify_virtqueues} then {@code query_virtqueues}, each issuing all n commands through the async
 *     firmware API before waiting): the batch with its first virtqueue costs what one serial virtqueue does, an
 *     assumption (one round trip of the same two commands)</td></tr>
 * <tr><td>suspend_vq</td><td>43347ns</td><td>each further virtqueue of a parallel suspend: (2.5 ms − suspend_batch)
 *     / 31, so that 32 virtqueues cost the published 2.5 ms (the slope is an assumption: one published point)</td></tr>
 * <tr><td>resume_batch</td><td>500us</td><td>6.12 parallel resume ({@code resume_vqs(ndev, 0, n)}): the batch with
 *     its first virtqueue, as one serial virtqueue (assumption)</td></tr>
 * <tr><td>resume_vq</td><td>145161ns</td><td>each further virtqueue: (5 ms − resume_batch) / 31, so that 32 cost the
 *     published 5 ms</td></tr>
 * </table>
 *
 * <p>Profile files from before the per-virtqueue keys keep working: {@code suspend_serial} and
 * {@code resume_serial} are read as the whole-device figures of the published 32-virtqueue device (÷ 32 per
 * virtqueue), and a file's {@code suspend} / {@code resume} without the batch keys scales mlx5's 6.12 batch
 * so that 32 virtqueues cost the figure given.
 *
 * <p>Kernel generations: the {@code suspend_batch}, {@code suspend_vq}, {@code resume_batch}, {@code resume_vq},
 * {@code mr_build_per_gib} and {@code mr_destroy_per_gib} figures are the ones of Linux 6.12 (mlx5 parallel
 * suspend/resume and parallel MKEY operations); an mlx5 parent on an earlier kernel charges the
 * {@code *_serial} keys instead (per virtqueue for suspend and resume), and before 6.11 (no VQ pre-creation) {@code vq_create} per virtqueue at DRIVER_OK and, before
 * 6.8 (no resumable VQs), at every {@code set_map} while running. Each generation reads its own keys, so
 * a profile that changes one generation's figure leaves the others as they are.
 */
public record CostProfile(
        String name,
        long pinPerPageNs,
        long unpinPerPageNs,
        long iommuMapPerPageNs,
        long iommuUnmapPerPageNs,
        long mrBuildPerGibNs,
        long mrDestroyPerGibNs,
        long dmaMapCallNs,
        long iotlbWriteNs,
        long ioctlNs,
        long suspendNs,
        long resumeNs,
        long deviceResetNs,
        long guestBootNs,
        long wireLatencyNs,
        long suspendVqSerialNs,
        long resumeVqSerialNs,
        long mrBuildSerialPerGibNs,
        long mrDestroySerialPerGibNs,
        long vqCreateNs,
        long cvqCommandNs,
        long suspendBatchNs,
        long suspendVqNs,
        long resumeBatchNs,
        long resumeVqNs) {

    /**
     * The configuration of every published mlx5 suspend/resume figure: one device with 16 queue pairs,
     * 32 data virtqueues (D. Tatulea's series). The per-virtqueue keys are those figures divided by it.
     */
    public static final int PUBLISHED_VQS = 32;

    /** 37 ms / 32: {@code mlx5_vdpa_suspend} before 6.12, spread evenly over the 32 virtqueues it walked. */
    static final long SUSPEND_VQ_SERIAL_NS = 37_000_000L / PUBLISHED_VQS;

    /** 16 ms / 32: {@code mlx5_vdpa_resume} before 6.12, per virtqueue. */
    static final long RESUME_VQ_SERIAL_NS = 16_000_000L / PUBLISHED_VQS;

    /**
     * Keys of profile files written before the per-virtqueue figures: each is the whole-device figure
     * of the published 32-virtqueue device and is read as {@code key / 32} per virtqueue.
     */
    private static final Map<String, String> WHOLE_DEVICE_KEYS = Map.of(
            "suspend_serial", "suspend_vq_serial", "resume_serial", "resume_vq_serial");

    /** Keys of a profile file, in record order. */
    public static final String[] KEYS = {
        "pin_per_page", "unpin_per_page", "iommu_map_per_page", "iommu_unmap_per_page",
        "mr_build_per_gib", "mr_destroy_per_gib", "dma_map_call", "iotlb_write", "ioctl",
        "suspend", "resume", "device_reset", "guest_boot", "wire_latency",
        "suspend_vq_serial", "resume_vq_serial", "mr_build_serial_per_gib", "mr_destroy_serial_per_gib",
        "vq_create", "cvq_command", "suspend_batch", "suspend_vq", "resume_batch", "resume_vq"
    };

    /**
     * The largest value each key accepts, in {@link #KEYS} order (every key accepts 0). Each bound is
     * far above any published or plausible figure (the per-page bounds are 1300 times the measured
     * 76 ns pin), so a typo or a unit slip ({@code s} for {@code ns}) is refused rather than turning
     * a reboot into years of modelled time that overflows the clock.
     */
    public static final long[] MAX_NS = {
        100_000L, 100_000L, 100_000L, 100_000L, // per page: 100us
        10_000_000_000L, 10_000_000_000L, // per GiB of MR: 10s
        100_000_000L, 100_000_000L, 100_000_000L, // per call: 100ms
        60_000_000_000L, 60_000_000_000L, 60_000_000_000L, // suspend, resume, device reset: 60s
        600_000_000_000L, // guest boot: 10 minutes
        1_000_000_000L, // one-way wire latency: 1s
        60_000_000_000L, 60_000_000_000L, // one virtqueue's serial suspend, resume: 60s
        10_000_000_000L, 10_000_000_000L, // serial MR build, destroy per GiB: 10s
        60_000_000_000L, // one virtqueue's creation: 60s
        100_000_000L, // one shadow control queue command: 100ms
        60_000_000_000L, 60_000_000_000L, // parallel suspend: a batch's first virtqueue, each further one: 60s
        60_000_000_000L, 60_000_000_000L // parallel resume: likewise
    };

    /** The accepted range of {@code key} as users write it, e.g. {@code 0ns..100us}. */
    public static String range(String key) {
        return "0ns.." + Durations.format(max(key));
    }

    /** The largest accepted value of {@code key} in nanoseconds (a whole-device key: as before, 60 s). */
    public static long max(String key) {
        if (WHOLE_DEVICE_KEYS.containsKey(key)) {
            return 60_000_000_000L;
        }
        int i = indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("unknown cost profile key '" + key + "'");
        }
        return MAX_NS[i];
    }

    public CostProfile {
        long[] all = {pinPerPageNs, unpinPerPageNs, iommuMapPerPageNs, iommuUnmapPerPageNs, mrBuildPerGibNs,
            mrDestroyPerGibNs, dmaMapCallNs, iotlbWriteNs, ioctlNs, suspendNs, resumeNs, deviceResetNs,
            guestBootNs, wireLatencyNs, suspendVqSerialNs, resumeVqSerialNs, mrBuildSerialPerGibNs,
            mrDestroySerialPerGibNs, vqCreateNs, cvqCommandNs, suspendBatchNs, suspendVqNs, resumeBatchNs, resumeVqNs};
        for (int i = 0; i < all.length; i++) {
            if (all[i] < 0) {
                throw new IllegalArgumentException("cost profile '" + name + "': " + KEYS[i] + " must not be negative");
            }
        }
    }

    /** Calibrated on docs/measurements.md (see the class comment for each figure's source). */
    public static CostProfile defaults() {
        return new CostProfile("default",
                76, 38, 190, 48,
                50_000_000L, 6_000_000L,
                1_000, 2_000, 1_000,
                2_500_000L, 5_000_000L, 1_000_000L,
                2_000_000_000L, 50_000,
                SUSPEND_VQ_SERIAL_NS, RESUME_VQ_SERIAL_NS, 200_000_000L, 48_000_000L, 11_600_000L,
                5_000,
                SUSPEND_VQ_SERIAL_NS, 43_347L, RESUME_VQ_SERIAL_NS, 145_161L);
    }

    /** No modelled costs at all (still a boot time of 0: the guest reprobes at once). */
    public static CostProfile zero() {
        return new CostProfile("zero", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * {@code default}, {@code zero}, or a path to a profile file.
     *
     * @throws IllegalArgumentException for an unknown name or a bad file, naming the key and the accepted form
     */
    public static CostProfile resolve(String nameOrFile) {
        if ("default".equals(nameOrFile)) {
            return defaults();
        }
        if ("zero".equals(nameOrFile)) {
            return zero();
        }
        Path p = Path.of(nameOrFile);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("bad cost profile '" + nameOrFile
                    + "': expected default, zero or the path of a profile file");
        }
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return parse(p.getFileName().toString(), nameOrFile, r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read cost profile '" + nameOrFile + "': " + e.getMessage());
        }
    }

    /**
     * Reads a profile: lines {@code key = DURATION} ({@code #} comments allowed) over the keys of
     * {@link #KEYS}, plus an optional {@code base = default|zero} for the keys not given (default:
     * {@code default}).
     */
    public static CostProfile parse(String name, Reader reader) throws IOException {
        return parse(name, name, reader);
    }

    /**
     * As {@link #parse(String, Reader)}; errors name {@code source} (the file as the user gave it)
     * and the line as {@code source:line}, the key, the value and the accepted range.
     */
    public static CostProfile parse(String name, String source, Reader reader) throws IOException {
        Map<String, Long> values = new LinkedHashMap<>();
        String base = "default";
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[4096];
        for (int n; (n = reader.read(buf)) > 0;) {
            sb.append(buf, 0, n);
        }
        int lineNo = 0;
        for (String raw : sb.toString().split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("cost profile " + source + ":" + lineNo + ": '" + raw.strip()
                        + "' is not of the form key = duration (e.g. pin_per_page = 76ns)");
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (key.equals("base")) {
                if (!value.equals("default") && !value.equals("zero")) {
                    throw new IllegalArgumentException("cost profile " + source + ":" + lineNo + ": base '" + value
                            + "' is not default or zero");
                }
                base = value;
                continue;
            }
            if (indexOf(key) < 0 && !WHOLE_DEVICE_KEYS.containsKey(key)) {
                throw new IllegalArgumentException("cost profile " + source + ":" + lineNo + ": unknown key '" + key
                        + "'; accepted keys: " + String.join(", ", KEYS) + " (and, whole-device figures for "
                        + PUBLISHED_VQS + " virtqueues, " + String.join(", ", WHOLE_DEVICE_KEYS.keySet().stream()
                                .sorted().toList()) + ")");
            }
            long ns;
            try {
                ns = Durations.parseNanos(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cost profile " + source + ":" + lineNo + ": key '" + key
                        + "' has value '" + value + "'; expected a duration with a unit of ns, us, ms or s (e.g. 76ns)");
            }
            if (ns > max(key)) {
                throw new IllegalArgumentException("cost profile " + source + ":" + lineNo + ": " + key + " = " + value
                        + " is out of range " + range(key));
            }
            values.put(key, ns);
        }
        readWholeDeviceKeys(source, values);
        long[] v = (base.equals("zero") ? zero() : defaults()).toArray();
        for (Map.Entry<String, Long> e : values.entrySet()) {
            v[indexOf(e.getKey())] = e.getValue();
        }
        return of(name, v);
    }

    /**
     * Profile files written before the per-virtqueue figures keep their meaning: a whole-device key
     * ({@code suspend_serial}, {@code resume_serial}) is the figure of the published 32-virtqueue device
     * and becomes its per-virtqueue key ÷ 32; a file's {@code suspend} or {@code resume} without the
     * mlx5 6.12 batch keys scales those keys so that a 32-virtqueue batch costs the figure given, as it
     * did when one figure was charged per device. A file giving both forms of one figure is refused.
     */
    private static void readWholeDeviceKeys(String source, Map<String, Long> values) {
        for (Map.Entry<String, String> e : WHOLE_DEVICE_KEYS.entrySet()) {
            Long whole = values.remove(e.getKey());
            if (whole == null) {
                continue;
            }
            if (values.containsKey(e.getValue())) {
                throw new IllegalArgumentException("cost profile " + source + ": " + e.getKey() + " (the whole device, "
                        + PUBLISHED_VQS + " virtqueues) and " + e.getValue() + " (per virtqueue) set the same figure; give one");
            }
            values.put(e.getValue(), whole / PUBLISHED_VQS);
        }
        CostProfile d = defaults();
        scaleBatch(values, "suspend", "suspend_batch", "suspend_vq", d.suspendBatchNs, d.suspendVqNs);
        scaleBatch(values, "resume", "resume_batch", "resume_vq", d.resumeBatchNs, d.resumeVqNs);
    }

    private static void scaleBatch(Map<String, Long> values, String whole, String batchKey, String vqKey,
            long batchNs, long vqNs) {
        Long figure = values.get(whole);
        if (figure == null || values.containsKey(batchKey) || values.containsKey(vqKey)) {
            return;
        }
        double scale = figure / (double) (batchNs + (PUBLISHED_VQS - 1) * vqNs);
        values.put(batchKey, Math.round(batchNs * scale));
        values.put(vqKey, Math.round(vqNs * scale));
    }

    /**
     * mlx5's parallel suspend of {@code vqs} virtqueues from 6.12 ({@code suspend_vqs(ndev, 0, n)} →
     * {@code modify_virtqueues} and {@code query_virtqueues}, every command in flight at once): one
     * batch with its first virtqueue, then {@code suspend_vq} for each further one; 0 for none.
     */
    public long parallelSuspendNs(int vqs) {
        return vqs <= 0 ? 0 : Durations.addSaturating(suspendBatchNs,
                Durations.multiplySaturating(vqs - 1L, suspendVqNs));
    }

    /** mlx5's parallel resume of {@code vqs} virtqueues from 6.12 ({@code resume_vqs(ndev, 0, n)}). */
    public long parallelResumeNs(int vqs) {
        return vqs <= 0 ? 0 : Durations.addSaturating(resumeBatchNs,
                Durations.multiplySaturating(vqs - 1L, resumeVqNs));
    }

    /**
     * A profile from its figures in {@link #KEYS} order (no range check: tests use figures past the
     * documented ranges to prove the clock saturates).
     *
     * @throws IllegalArgumentException when {@code v} does not have one figure per key, or one is negative
     */
    public static CostProfile of(String name, long[] v) {
        if (v.length != KEYS.length) {
            throw new IllegalArgumentException("cost profile '" + name + "': " + v.length + " figures for "
                    + KEYS.length + " keys");
        }
        return new CostProfile(name, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
                v[12], v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21], v[22], v[23]);
    }

    private static int indexOf(String key) {
        for (int i = 0; i < KEYS.length; i++) {
            if (KEYS[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** The figures in {@link #KEYS} order. */
    public long[] toArray() {
        return new long[] {pinPerPageNs, unpinPerPageNs, iommuMapPerPageNs, iommuUnmapPerPageNs, mrBuildPerGibNs,
            mrDestroyPerGibNs, dmaMapCallNs, iotlbWriteNs, ioctlNs, suspendNs, resumeNs, deviceResetNs, guestBootNs,
            wireLatencyNs, suspendVqSerialNs, resumeVqSerialNs, mrBuildSerialPerGibNs, mrDestroySerialPerGibNs,
            vqCreateNs, cvqCommandNs, suspendBatchNs, suspendVqNs, resumeBatchNs, resumeVqNs};
    }

    /** The same profile with another guest boot time (the {@code --boot-time} option). */
    public CostProfile withGuestBootNs(long nanos) {
        long[] v = toArray();
        v[12] = nanos;
        return of(name, v);
    }

    /** Key/value view for reports ({@code key -> "76ns"}). */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        long[] v = toArray();
        for (int i = 0; i < KEYS.length; i++) {
            m.put(KEYS[i], Durations.format(v[i]));
        }
        return m;
    }

    /** Nanoseconds per unit of {@code kind}: per page, per GiB, or per call. */
    public long nanosPerUnit(CostKind kind) {
        return switch (kind) {
            case PIN -> pinPerPageNs;
            case UNPIN -> unpinPerPageNs;
            case IOMMU_MAP -> iommuMapPerPageNs;
            case IOMMU_UNMAP -> iommuUnmapPerPageNs;
            case MR_BUILD -> mrBuildPerGibNs;
            case MR_DESTROY -> mrDestroyPerGibNs;
            case DMA_MAP_CALL -> dmaMapCallNs;
            case IOTLB_WRITE -> iotlbWriteNs;
            case IOCTL -> ioctlNs;
            case SUSPEND -> suspendNs;
            case RESUME -> resumeNs;
            case DEVICE_RESET -> deviceResetNs;
            case SUSPEND_VQ_SERIAL -> suspendVqSerialNs;
            case RESUME_VQ_SERIAL -> resumeVqSerialNs;
            case MR_BUILD_SERIAL -> mrBuildSerialPerGibNs;
            case MR_DESTROY_SERIAL -> mrDestroySerialPerGibNs;
            case VQ_CREATE -> vqCreateNs;
            case CVQ_COMMAND -> cvqCommandNs;
            case SUSPEND_BATCH -> suspendBatchNs;
            case SUSPEND_VQ -> suspendVqNs;
            case RESUME_BATCH -> resumeBatchNs;
            case RESUME_VQ -> resumeVqNs;
        };
    }
}
