package io.gridwatch.camera;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered camera (监控摄像头), CONTRACTS.md §2: where its stream is, where it stands, how its image maps to the
 * ground, and the zones of its image that are watched. Built and validated by {@link CameraFile}.
 *
 * @param url         the stream ({@code rtsp|http|https|udp|tcp://…}) or an absolute file path, looped
 * @param calibration empty when the camera's own location stands for every detection
 */
public record Camera(String id, String url, GroundPoint location, Optional<Calibration> calibration, List<CameraZone> zones) {

    public Camera {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(calibration, "calibration");
        zones = List.copyOf(zones);
    }

    /** Where a point of the image lies on the ground: through the calibration, else the camera's own place (§2). */
    public GroundPoint groundPoint(ImagePoint image) {
        return calibration.map(c -> c.groundPoint(image)).orElse(location);
    }

    /** The URL with any user and password left out, for lists and logs. */
    public String urlWithoutCredentials() {
        try {
            URI u = URI.create(url);
            if (u.getScheme() == null || u.getRawUserInfo() == null) {
                return url;
            }
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), u.getFragment()).toString();
        } catch (Exception e) {
            // a file path with characters URI rejects carries no credentials
            return url;
        }
    }
}
