package io.gridwatch.ingest.video;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a camera's pictures come from, checked before anything is opened: the kinds of CONTRACTS §2
 * (rtsp, http(s), MPEG-TS over udp/tcp, a file that is looped).
 *
 * @param kind     the transport
 * @param location what FFmpeg opens: the URL, or the file's absolute path
 */
public record StreamSource(Kind kind, String location) {

    public enum Kind {
        RTSP, HTTP, UDP_MPEGTS, TCP_MPEGTS, FILE;

        /** A file is read faster than real time and loops at its end; everything else is live. */
        public boolean live() {
            return this != FILE;
        }
    }

    public StreamSource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
    }

    /**
     * Parses a camera url; throws {@link IllegalArgumentException} saying what is wrong with it.
     * A bare path or a {@code file:} URI is a file, which must exist.
     */
    public static StreamSource parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("camera url is empty");
        }
        String u = url.strip();
        int colon = u.indexOf("://");
        if (colon < 0 && !u.startsWith("file:")) {
            return file(Path.of(u), url);
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("camera url '" + url + "' is not a valid URI: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Kind kind = switch (scheme) {
            case "rtsp", "rtsps" -> Kind.RTSP;
            case "http", "https" -> Kind.HTTP;
            case "udp" -> Kind.UDP_MPEGTS;
            case "tcp" -> Kind.TCP_MPEGTS;
            case "file" -> Kind.FILE;
            default -> throw new IllegalArgumentException("camera url '" + url + "' has unsupported scheme '" + scheme
                    + "': use rtsp://, http(s)://, udp://, tcp:// or a file path");
        };
        if (kind == Kind.FILE) {
            return file(Path.of(uri), url);
        }
        if (uri.getHost() == null && kind != Kind.UDP_MPEGTS) {
            throw new IllegalArgumentException("camera url '" + url + "' has no host");
        }
        if ((kind == Kind.UDP_MPEGTS || kind == Kind.TCP_MPEGTS) && uri.getPort() < 0) {
            throw new IllegalArgumentException("camera url '" + url + "' has no port");
        }
        return new StreamSource(kind, u);
    }

    private static StreamSource file(Path p, String url) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("camera url '" + url + "' is neither a stream URL nor an existing file");
        }
        return new StreamSource(Kind.FILE, p.toAbsolutePath().toString());
    }

    /**
     * FFmpeg demuxer options for this source. {@code rtspTransport} is {@code tcp} or {@code udp};
     * {@code ioTimeoutMicros} bounds every network read so a silent peer is noticed.
     */
    Map<String, String> options(String rtspTransport, long ioTimeoutMicros) {
        String timeout = Long.toString(ioTimeoutMicros);
        return switch (kind) {
            // "timeout" is the RTSP socket timeout in FFmpeg 5 (it was "stimeout" before)
            case RTSP -> Map.of("rtsp_transport", rtspTransport, "timeout", timeout);
            case HTTP -> Map.of("rw_timeout", timeout, "reconnect", "0");
            case TCP_MPEGTS, UDP_MPEGTS -> Map.of("rw_timeout", timeout);
            case FILE -> Map.of();
        };
    }

    /** The container format to force, where probing would guess wrong or wait. */
    String format() {
        return kind == Kind.TCP_MPEGTS || kind == Kind.UDP_MPEGTS ? "mpegts" : null;
    }
}
