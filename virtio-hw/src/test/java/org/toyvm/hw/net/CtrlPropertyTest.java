package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * Any control command — class and command near the real ones and at the byte's ends, data of any
 * bytes and length, any subset of the control features — cut into descriptors at any points.
 * Oracles: the chain always comes back with used length 1 and an ack of 0 or 1; each command is
 * counted once (ok + err + malformed); the device never needs reset; and the split does not matter:
 * the same command in one descriptor gets the same ack and leaves the same state.
 */
class CtrlPropertyTest {
    record Command(int cls, int cmd, List<Integer> data, List<Integer> cuts, long features) {
    }

    static Gen<Command> commands() {
        Gen<Integer> cls = Generate.range(0, 7).mix(Generate.pick(List.of(0x80, 0xff)), 10);
        Gen<Integer> cmd = Generate.range(0, 6).mix(Generate.pick(List.of(0x7f, 0xff)), 10);
        Gen<List<Integer>> data = SourceDSL.lists().of(Generate.range(0, 255).mix(Generate.pick(List.of(0, 1, 0xff)), 30))
                .ofSizeBetween(0, 40);
        Gen<List<Integer>> cuts = SourceDSL.lists().of(Generate.range(0, 42)).ofSizeBetween(0, 6);
        Gen<Long> features = Generate.longRange(0, Long.MAX_VALUE).map(r -> r & CvqDriver.CTRL_FEATURES);
        return cls.zip(cmd, data, cuts, (a, b, c, d) -> new Object[] {a, b, c, d})
                .zip(features, (o, f) -> new Command((Integer) o[0], (Integer) o[1], castList(o[2]), castList(o[3]), f));
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> castList(Object o) {
        return (List<Integer>) o;
    }

    @Test
    @Tag(Props.TAG)
    void anyCommandAnySplitIsAnsweredTheSame(TestInfo info) {
        Props.qt(info, 300).forAll(commands()).checkAssert(CtrlPropertyTest::answeredTheSame);
    }

    private static void answeredTheSame(Command c) {
        byte[] whole = new byte[2 + c.data().size()];
        whole[0] = (byte) c.cls();
        whole[1] = (byte) c.cmd();
        for (int i = 0; i < c.data().size(); i++) {
            whole[2 + i] = (byte) (int) c.data().get(i);
        }
        List<byte[]> parts = new ArrayList<>();
        int from = 0;
        for (int cut : c.cuts().stream().sorted().toList()) {
            int at = Math.min(cut, whole.length);
            parts.add(java.util.Arrays.copyOfRange(whole, from, Math.max(from, at)));
            from = Math.max(from, at);
        }
        parts.add(java.util.Arrays.copyOfRange(whole, from, whole.length));
        try (CvqDriver one = new CvqDriver(c.features()); CvqDriver split = new CvqDriver(c.features())) {
            one.f.nic.requestAnnounce();
            split.f.nic.requestAnnounce();
            int a = one.sendParts(1, whole);
            int b = split.sendParts(1, parts.toArray(new byte[0][]));
            assertTrue(a == VirtioNet.CTRL_OK || a == VirtioNet.CTRL_ERR, "ack " + a);
            assertEquals(a, b, "split into " + parts.size());
            for (CvqDriver d : List.of(one, split)) {
                NicCounters n = d.counters();
                assertEquals(1, n.ctrlOk() + n.ctrlErr() + n.ctrlMalformed(), n.snapshot().toString());
                assertEquals(0, d.f.nic.status() & VirtioStatus.NEEDS_RESET, d.f.nic.needsResetReason());
            }
            RxFilter x = one.filter();
            RxFilter y = split.filter();
            assertEquals(java.util.Arrays.toString(new boolean[] {x.promisc, x.allmulti, x.alluni, x.nomulti, x.nouni,
                x.nobcast, x.uniOverflow, x.multiOverflow}), java.util.Arrays.toString(new boolean[] {y.promisc,
                    y.allmulti, y.alluni, y.nomulti, y.nouni, y.nobcast, y.uniOverflow, y.multiOverflow}));
            assertTrue(java.util.Arrays.equals(x.macs, y.macs) && x.inUse == y.inUse && x.firstMulti == y.firstMulti);
            assertTrue(java.util.Arrays.equals(x.vlans, y.vlans));
            assertEquals(x.activePairs, y.activePairs);
            assertEquals(x.guestOffloads, y.guestOffloads);
            assertEquals(one.f.nic.mac(), split.f.nic.mac());
        }
    }
}
