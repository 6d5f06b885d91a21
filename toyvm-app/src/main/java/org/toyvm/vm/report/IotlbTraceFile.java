package org.toyvm.vm.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * {@code --trace-iotlb FILE}: one JSON line per message the frontend writes, with the exact 72
 * bytes as hex: {@code {"t_ns", "asid", "type", "iova", "size", "uaddr", "perm", "hex", "result"}}.
 * Addresses are unsigned 64-bit numbers.
 */
public final class IotlbTraceFile implements IotlbTraceSink, AutoCloseable {
    private final BufferedWriter out;
    private long lines;

    public IotlbTraceFile(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    @Override
    public void written(long timeNs, VhostMsgV2 m, String result) {
        try {
            out.write("{\"t_ns\":" + timeNs + ",\"asid\":" + Integer.toUnsignedString(m.asid()) + ",\"type\":\""
                    + m.typeName() + "\",\"iova\":" + Long.toUnsignedString(m.iova()) + ",\"size\":"
                    + Long.toUnsignedString(m.size()) + ",\"uaddr\":" + Long.toUnsignedString(m.uaddr())
                    + ",\"perm\":" + m.perm() + ",\"hex\":\"" + m.hex() + "\",\"result\":\"" + result + "\"}\n");
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long lines() {
        return lines;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
