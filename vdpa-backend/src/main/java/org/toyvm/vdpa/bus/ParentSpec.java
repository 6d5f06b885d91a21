package org.toyvm.vdpa.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parent driver and its module parameters, as a user loads it: {@code vdpa-sim} (as shipped) or
 * {@code vdpa-sim,use_va=off,batch_mapping=off}. An option left out has the value the module ships
 * with; {@link #label()} prints only the options given, so the shipped parent reads as its kind.
 *
 * <p>The options are vdpa_sim's two mapping parameters (drivers/vdpa/vdpa_sim/vdpa_sim.c):
 * <ul>
 * <li>{@code batch_mapping} ({@code static int batch_mapping = 1}, there since the driver's first
 *     version): {@code vdpasim_create} picks {@code vdpasim_batch_config_ops} (a {@code set_map} of the
 *     whole table, no {@code dma_map}) when it is 1, {@code vdpasim_config_ops} ({@code dma_map} /
 *     {@code dma_unmap}, no {@code set_map}) when it is 0.
 * <li>{@code use_va} ({@code static bool use_va = true}, added by "vdpa_sim: add support for user VA",
 *     S. Garzarella, Linux 6.3): the device is allocated with {@code use_va}, so vhost-vdpa maps user
 *     virtual addresses without pinning ({@code vhost_vdpa_va_map}) and checks no RLIMIT_MEMLOCK. A
 *     kernel before 6.3 has no such parameter: modprobe's {@code unknown_module_param_cb} logs
 *     "unknown parameter 'use_va' ignored" and loads the module anyway, so on 6.1 the option is
 *     accepted and has no effect ({@link #usesVa(KernelVersion)} is false).
 * </ul>
 * mlx5_vdpa and the platform-IOMMU parent take no option.
 */
public record ParentSpec(ParentKind kind, Setting useVa, Setting batchMapping) {

    /** A module parameter as given: left out (the module's default), on or off. */
    public enum Setting {
        SHIPPED, ON, OFF;

        String text() {
            return this == ON ? "on" : "off";
        }
    }

    /** The option names of vdpa_sim, in the order {@link #label()} prints them. */
    public static final String USE_VA = "use_va";
    public static final String BATCH_MAPPING = "batch_mapping";

    public ParentSpec {
        if (kind == null || useVa == null || batchMapping == null) {
            throw new IllegalArgumentException("a parent spec needs a kind and both settings");
        }
        if (kind != ParentKind.VDPA_SIM && (useVa != Setting.SHIPPED || batchMapping != Setting.SHIPPED)) {
            throw new IllegalArgumentException("bad parent '" + kind.label() + "': it takes no options");
        }
    }

    /** The parent as its module ships (every option at its default). */
    public static ParentSpec shipped(ParentKind kind) {
        return new ParentSpec(kind, Setting.SHIPPED, Setting.SHIPPED);
    }

    /** vdpa_sim with both options given. */
    public static ParentSpec vdpaSim(boolean useVa, boolean batchMapping) {
        return new ParentSpec(ParentKind.VDPA_SIM, useVa ? Setting.ON : Setting.OFF,
                batchMapping ? Setting.ON : Setting.OFF);
    }

    /**
     * Parses {@code KIND[,option=value...]}: the kind as {@link ParentKind#parse}, then vdpa_sim's
     * options, each at most once, with a value of {@code on}/{@code off} (also {@code 1}/{@code 0},
     * {@code y}/{@code n}, as the kernel's {@code kstrtobool} takes them).
     *
     * @throws IllegalArgumentException naming the bad part and what is accepted
     */
    public static ParentSpec parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("bad parent 'null': expected one of " + kinds());
        }
        String[] parts = text.split(",", -1);
        ParentKind kind = ParentKind.parse(parts[0].strip());
        Setting useVa = Setting.SHIPPED;
        Setting batch = Setting.SHIPPED;
        for (int i = 1; i < parts.length; i++) {
            String opt = parts[i].strip();
            if (kind != ParentKind.VDPA_SIM) {
                throw new IllegalArgumentException("bad parent '" + text + "': " + kind.label()
                        + " takes no options (only vdpa-sim takes " + USE_VA + " and " + BATCH_MAPPING + ")");
            }
            int eq = opt.indexOf('=');
            String name = eq < 0 ? opt : opt.substring(0, eq).strip();
            if (!name.equals(USE_VA) && !name.equals(BATCH_MAPPING)) {
                throw new IllegalArgumentException("bad parent '" + text + "': unknown option '" + name
                        + "'; vdpa-sim accepts " + USE_VA + "=on|off, " + BATCH_MAPPING + "=on|off");
            }
            if (eq < 0) {
                throw new IllegalArgumentException("bad parent '" + text + "': option '" + name
                        + "' needs a value: " + name + "=on|off");
            }
            Setting s = setting(text, name, opt.substring(eq + 1).strip());
            if (name.equals(USE_VA)) {
                if (useVa != Setting.SHIPPED) {
                    throw new IllegalArgumentException("bad parent '" + text + "': " + USE_VA + " appears twice");
                }
                useVa = s;
            } else {
                if (batch != Setting.SHIPPED) {
                    throw new IllegalArgumentException("bad parent '" + text + "': " + BATCH_MAPPING
                            + " appears twice");
                }
                batch = s;
            }
        }
        return new ParentSpec(kind, useVa, batch);
    }

    private static Setting setting(String text, String name, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "1", "y", "yes", "true":
                return Setting.ON;
            case "off", "0", "n", "no", "false":
                return Setting.OFF;
            default:
                throw new IllegalArgumentException("bad parent '" + text + "': " + name + " '" + value
                        + "' is not on or off (1/0, y/n also accepted)");
        }
    }

    private static String kinds() {
        return org.toyvm.core.units.Labelled.labels(ParentKind.class);
    }

    /** vdpa_sim's {@code batch_mapping} in effect: whole-table {@code set_map} (the default) or {@code dma_map}. */
    public boolean batched() {
        return kind == ParentKind.VDPA_SIM && batchMapping != Setting.OFF;
    }

    /**
     * Whether the device is in VA mode on {@code kernel}: vdpa_sim with {@code use_va} on (its default)
     * on a kernel that has the parameter (6.3+); never mlx5 or the platform parent.
     */
    public boolean usesVa(KernelVersion kernel) {
        return kind == ParentKind.VDPA_SIM && kernel.vdpaSimUsesVaByDefault() && useVa != Setting.OFF;
    }

    /** True when {@code use_va} was given but the kernel has no such parameter (modprobe ignores it). */
    public boolean ignoresUseVa(KernelVersion kernel) {
        return useVa != Setting.SHIPPED && !kernel.vdpaSimUsesVaByDefault();
    }

    /** The kind and the options given, as a user writes it ({@code vdpa-sim,use_va=off}). */
    public String label() {
        List<String> parts = new ArrayList<>();
        parts.add(kind.label());
        if (useVa != Setting.SHIPPED) {
            parts.add(USE_VA + "=" + useVa.text());
        }
        if (batchMapping != Setting.SHIPPED) {
            parts.add(BATCH_MAPPING + "=" + batchMapping.text());
        }
        return String.join(",", parts);
    }

    @Override
    public String toString() {
        return label();
    }
}
