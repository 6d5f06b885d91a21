package org.toyvm.fuzz;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Every surface the campaign knows, by name, in the order they run. */
public final class Surfaces {
    private Surfaces() {
    }

    public static Map<String, Supplier<Surface<?>>> all() {
        Map<String, Supplier<Surface<?>>> m = new LinkedHashMap<>();
        m.put("mmio", MmioSurface::new);
        m.put("ring", RingSurface::new);
        m.put("iotlb", KernelSurface::new);
        m.put("uapi", UapiSurface::new);
        m.put("wire", WireSurface::new);
        m.put("profile", ProfileSurface::new);
        m.put("cli", CliSurface::new);
        return m;
    }
}
