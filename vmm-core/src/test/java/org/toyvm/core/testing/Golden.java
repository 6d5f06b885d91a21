package org.toyvm.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Constants and struct layouts compiled from the real Linux uAPI headers, copied into this
 * project's test resources ({@code golden/linux-uapi.json}) so tests never read outside the clone.
 */
public final class Golden {
    private static final JsonNode ROOT = load();

    private Golden() {
    }

    private static JsonNode load() {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/linux-uapi.json")) {
            if (in == null) {
                throw new IllegalStateException("test resource golden/linux-uapi.json is missing");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value from {@code values}, e.g. {@code "vring_desc.next"} or {@code "sizeof(vring_desc)"}. */
    public static long value(String key) {
        JsonNode n = ROOT.get("values").get(key);
        if (n == null) {
            throw new IllegalArgumentException("no golden value '" + key + "'");
        }
        return n.asLong();
    }

    /** The {@code vhost_msg_v2_samples} array. */
    public static JsonNode vhostMsgV2Samples() {
        return ROOT.get("vhost_msg_v2_samples");
    }

    public static JsonNode root() {
        return ROOT;
    }
}
