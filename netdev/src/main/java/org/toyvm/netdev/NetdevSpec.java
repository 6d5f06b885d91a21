package org.toyvm.netdev;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code --netdev} value: {@code local}; {@code vxlan,local=IP:PORT,remote=IP:PORT,vni=N};
 * {@code dgram,local=IP:PORT,remote=IP:PORT}; {@code stream,addr=IP:PORT[,server=on|off]}.
 */
public record NetdevSpec(Kind kind, InetSocketAddress local, InetSocketAddress remote, int vni, boolean server,
        String text) {
    public enum Kind { LOCAL, VXLAN, DGRAM, STREAM }

    private static final String FORMS = "local, vxlan,local=IP:PORT,remote=IP:PORT,vni=N,"
            + " dgram,local=IP:PORT,remote=IP:PORT, or stream,addr=IP:PORT[,server=on|off]";

    /** Parses a spec, with errors that name the bad part and the accepted forms. */
    public static NetdevSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty --netdev: expected " + FORMS);
        }
        String[] parts = text.split(",");
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("bad --netdev part '" + parts[i] + "' in '" + text
                        + "': expected key=value");
            }
            kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        switch (parts[0]) {
            case "local" -> {
                only(text, kv);
                return new NetdevSpec(Kind.LOCAL, null, null, 0, false, text);
            }
            case "vxlan" -> {
                only(text, kv, "local", "remote", "vni");
                String vni = need(text, kv, "vni");
                int v = -1;
                if (digits(vni) && vni.length() <= 8) {
                    v = Integer.parseInt(vni);
                }
                if (v < 0 || v > 0xff_ffff) {
                    throw new IllegalArgumentException("bad vni '" + vni + "' in --netdev '" + text
                            + "': expected 0..16777215");
                }
                return new NetdevSpec(Kind.VXLAN, addr(text, need(text, kv, "local")), addr(text, need(text, kv, "remote")),
                        v, false, text);
            }
            case "dgram" -> {
                only(text, kv, "local", "remote");
                return new NetdevSpec(Kind.DGRAM, addr(text, need(text, kv, "local")), addr(text, need(text, kv, "remote")),
                        0, false, text);
            }
            case "stream" -> {
                only(text, kv, "addr", "server");
                String srv = kv.getOrDefault("server", "off");
                if (!srv.equals("on") && !srv.equals("off")) {
                    throw new IllegalArgumentException("bad server '" + srv + "' in --netdev '" + text
                            + "': expected on or off");
                }
                InetSocketAddress a = addr(text, need(text, kv, "addr"));
                return new NetdevSpec(Kind.STREAM, a, a, 0, srv.equals("on"), text);
            }
            default -> throw new IllegalArgumentException("bad --netdev '" + text + "': expected " + FORMS);
        }
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static void only(String text, Map<String, String> kv, String... keys) {
        for (String k : kv.keySet()) {
            if (!java.util.List.of(keys).contains(k)) {
                throw new IllegalArgumentException("bad --netdev key '" + k + "' in '" + text + "': expected "
                        + (keys.length == 0 ? "no options" : String.join(", ", keys)));
            }
        }
    }

    private static String need(String text, Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--netdev '" + text + "' needs " + key + "=...");
        }
        return v;
    }

    private static InetSocketAddress addr(String text, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("bad address '" + hostPort + "' in --netdev '" + text
                    + "': expected IP:PORT");
        }
        String host = hostPort.substring(0, colon);
        // A strict dotted quad: InetAddress.getByName would also take inet_aton's short forms
        // ("10.1" is 10.0.0.1) and read leading zeros as decimal where inet_aton reads octal.
        String[] q = host.split("\\.", -1);
        byte[] ip = new byte[4];
        boolean ok = q.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = digits(q[i]) && q[i].length() <= 3 && !(q[i].length() > 1 && q[i].charAt(0) == '0')
                    && Integer.parseInt(q[i]) <= 255;
            if (ok) {
                ip[i] = (byte) Integer.parseInt(q[i]);
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("bad address '" + hostPort + "' in --netdev '" + text
                    + "': expected a numeric IPv4 address (a dotted quad) and a port");
        }
        String port = hostPort.substring(colon + 1);
        if (!digits(port) || port.length() > 5 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("bad address '" + hostPort + "' in --netdev '" + text
                    + "': expected IP:PORT with a port 0..65535");
        }
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(ip), Integer.parseInt(port));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("a 4-byte address is always valid", e);
        }
    }
}
