package org.toyvm.vdpa.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParentSpecTest {
    @Test
    void aKindAloneIsTheModuleAsShipped() {
        ParentSpec sim = ParentSpec.parse("vdpa-sim");
        assertEquals(ParentSpec.shipped(ParentKind.VDPA_SIM), sim);
        assertEquals("vdpa-sim", sim.label());
        assertTrue(sim.batched(), "batch_mapping=1 as shipped");
        assertTrue(sim.usesVa(KernelVersion.V6_12), "use_va=true as shipped (6.3+)");
        assertTrue(sim.usesVa(KernelVersion.V6_6));
        assertFalse(sim.usesVa(KernelVersion.V6_1), "6.1 has no use_va: PA mode");
        assertEquals("mlx5", ParentSpec.parse("mlx5").label());
        assertFalse(ParentSpec.parse("mlx5").usesVa(KernelVersion.V6_12));
    }

    @Test
    void optionsParseAndPrintBack() {
        ParentSpec s = ParentSpec.parse("vdpa-sim,use_va=off,batch_mapping=off");
        assertEquals(ParentSpec.vdpaSim(false, false), s);
        assertFalse(s.batched());
        assertFalse(s.usesVa(KernelVersion.V6_12));
        assertEquals("vdpa-sim,use_va=off,batch_mapping=off", s.label());
        assertEquals(s, ParentSpec.parse(s.label()));
        // Option order is free, kstrtobool spellings are accepted, the label is canonical.
        ParentSpec t = ParentSpec.parse("vdpa-sim, batch_mapping=0 ,use_va=1");
        assertEquals("vdpa-sim,use_va=on,batch_mapping=off", t.label());
        assertTrue(t.usesVa(KernelVersion.V6_7));
    }

    @Test
    void useVaOnAKernelWithoutTheParameterIsIgnoredAsModprobeDoes() {
        ParentSpec s = ParentSpec.parse("vdpa-sim,use_va=on");
        assertFalse(s.usesVa(KernelVersion.V6_1));
        assertTrue(s.ignoresUseVa(KernelVersion.V6_1));
        assertFalse(s.ignoresUseVa(KernelVersion.V6_6));
        assertFalse(ParentSpec.parse("vdpa-sim").ignoresUseVa(KernelVersion.V6_1));
    }

    @Test
    void errorsNameTheBadPartAndWhatIsAccepted() {
        String e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("vdpa-sim,usa_va=off"))
                .getMessage();
        assertTrue(e.contains("'usa_va'") && e.contains("use_va=on|off") && e.contains("batch_mapping=on|off"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("mlx5,use_va=off")).getMessage();
        assertTrue(e.contains("mlx5 takes no options"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("vdpa-sim,use_va=maybe"))
                .getMessage();
        assertTrue(e.contains("use_va 'maybe'") && e.contains("on or off"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("vdpa-sim,use_va=on,use_va=off"))
                .getMessage();
        assertTrue(e.contains("appears twice"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("vdpa-sim,use_va")).getMessage();
        assertTrue(e.contains("needs a value"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("vdpa-sim,")).getMessage();
        assertTrue(e.contains("unknown option ''"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ParentSpec.parse("vdpasim")).getMessage();
        assertTrue(e.contains("'vdpasim'") && e.contains("platform, mlx5, vdpa-sim"), e);
        assertThrows(IllegalArgumentException.class,
                () -> new ParentSpec(ParentKind.MLX5, ParentSpec.Setting.OFF, ParentSpec.Setting.SHIPPED));
    }
}
