package org.toyvm.vm.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vm.machine.PerDeviceTrace;

/**
 * {@code --trace-iotlb FILE}: one JSON line per message the frontend writes, with the exact 72
 * bytes as hex: {@code {"t_ns", "asid", "type", "iova", "size", "uaddr", "perm", "hex", "result"}}.
 * Addresses are unsigned 64-bit numbers.
 *
 * <p>The trace is called from inside the run (the frontend's write path), so a write that fails (a
 * full disk) must not throw into it: the first failure is kept, later lines are dropped, and the
 * command reports the failure in one line after the report, with exit code 1.
 */
public final class IotlbTraceFile implements PerDeviceTrace, AutoCloseable {
    private final Path file;
    private final BufferedWriter out;
    private long lines;
    private IOException failure;

    public IotlbTraceFile(Path file) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    @Override
    public void written(long timeNs, VhostMsgV2 m, String result) {
        write(timeNs, m, result, "");
    }

    @Override
    public IotlbTraceSink forDevice(String device) {
        String tag = ",\"device\":\"" + device + "\"";
        return (t, m, r) -> write(t, m, r, tag);
    }

    private void write(long timeNs, VhostMsgV2 m, String result, String deviceTag) {
        if (failure != null) {
            return;
        }
        try {
            out.write("{\"t_ns\":" + timeNs + ",\"asid\":" + Integer.toUnsignedString(m.asid()) + ",\"type\":\""
                    + m.typeName() + "\",\"iova\":" + Long.toUnsignedString(m.iova().value()) + ",\"size\":"
                    + Long.toUnsignedString(m.size()) + ",\"uaddr\":" + Long.toUnsignedString(m.uaddr().value())
                    + ",\"perm\":" + m.perm() + ",\"hex\":\"" + m.hex() + "\",\"result\":\"" + result + "\""
                    + deviceTag + "}\n");
            lines++;
        } catch (IOException e) {
            failure = e;
        }
    }

    /** Lines handed to the writer (those after a failure are not counted). */
    public long lines() {
        return lines;
    }

    /** Why the trace is incomplete, in one line, or null when every line was written. */
    public String failure() {
        if (failure == null) {
            return null;
        }
        String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return "--trace-iotlb " + file + ": write failed after " + lines + " lines: " + why;
    }

    /** Flushes and closes; a failure to flush is kept in {@link #failure()} rather than thrown. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
