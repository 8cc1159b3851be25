package io.gridwatch.camera;

import io.gridwatch.grid.GridLocation;
import io.gridwatch.sensor.TelemetryParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CameraFileTest {

    /** One grid around Zhongshan square; everything else is outside. */
    static final TelemetryParser.GridLookup GRIDS = (lon, lat) -> lon > 121.6 && lon < 121.7 && lat > 38.9 && lat < 39.0
            ? Optional.of(new GridLocation("210202001001001", "210202", "中山区", "210202001", "街道", "210202001001", "社区",
            Optional.empty(), 1000))
            : Optional.empty();

    @TempDir
    Path dir;

    static final String CONTRACT_EXAMPLE = """
            cameras:
              - id: cam-zs-0001
                url: rtsp://127.0.0.1:8554/cam1        # rtsp://, http(s)://, udp://, or a file path (looped)
                location: {lon: 121.6431, lat: 38.9152} # WGS-84, where the camera stands
                calibration:                            # ≥ 4 image points (0..1 of width/height) with their ground point
                  - {image: [0.10, 0.95], ground: [121.64290, 38.91500]}
                  - {image: [0.90, 0.95], ground: [121.64335, 38.91502]}
                  - {image: [0.70, 0.45], ground: [121.64340, 38.91560]}
                  - {image: [0.30, 0.45], ground: [121.64280, 38.91558]}
                zones:
                  - name: plaza-east
                    purpose: no_vending                 # no_vending | bin_area | roadway | sidewalk
                    polygon: [[0.05,0.55],[0.60,0.55],[0.60,0.98],[0.05,0.98]]  # image coords 0..1
                    schedule: "07:00-22:00"             # optional, Asia/Shanghai; outside it the zone is idle
            """;

    List<Camera> read(String yaml) {
        return CameraFile.read(yaml, "test.yaml", new CameraFile.Checks(GRIDS, dir));
    }

    List<String> errors(String yaml) {
        return catchThrowableOfType(CameraFile.InvalidCameraFileException.class, () -> read(yaml)).errors();
    }

    @Test
    void readsTheContractsExample() {
        List<Camera> cams = read(CONTRACT_EXAMPLE);
        assertThat(cams).hasSize(1);
        Camera c = cams.get(0);
        assertThat(c.id()).isEqualTo("cam-zs-0001");
        assertThat(c.url()).isEqualTo("rtsp://127.0.0.1:8554/cam1");
        assertThat(c.location()).isEqualTo(new GroundPoint(121.6431, 38.9152));
        assertThat(c.calibration()).isPresent();
        assertThat(c.calibration().get().points()).hasSize(4);
        CameraZone z = c.zones().get(0);
        assertThat(z.name()).isEqualTo("plaza-east");
        assertThat(z.purpose()).isEqualTo(ZonePurpose.NO_VENDING);
        assertThat(z.polygon()).hasSize(4).first().isEqualTo(new ImagePoint(0.05, 0.55));
        assertThat(z.schedule()).map(ZoneSchedule::toString).contains("07:00-22:00");
        // 2026-12-03 06:59 and 22:00 in Shanghai are outside, 07:00 inside
        assertThat(z.schedule().get().isActive(Instant.parse("2026-12-02T22:59:00Z"))).isFalse();
        assertThat(z.schedule().get().isActive(Instant.parse("2026-12-02T23:00:00Z"))).isTrue();
        assertThat(z.schedule().get().isActive(Instant.parse("2026-12-03T14:00:00Z"))).isFalse();
    }

    @Test
    void theJsonFormReadsBackEqual() {
        Camera c = read(CONTRACT_EXAMPLE).get(0);
        assertThat(CameraFile.fromJson(CameraFile.toJson(c))).isEqualTo(c);
    }

    @Test
    void aScheduleMayCrossMidnight() {
        ZoneSchedule night = ZoneSchedule.parse("22:00-06:00");
        assertThat(night.isActive(Instant.parse("2026-12-03T15:30:00Z"))).isTrue();  // 23:30
        assertThat(night.isActive(Instant.parse("2026-12-03T21:00:00Z"))).isTrue();  // 05:00
        assertThat(night.isActive(Instant.parse("2026-12-03T04:00:00Z"))).isFalse(); // 12:00
    }

    @Test
    void aRelativeFileUrlIsResolvedAndMustExist() throws Exception {
        Files.writeString(dir.resolve("clip.mp4"), "x");
        String yaml = """
                cameras:
                  - {id: cam-file, url: clip.mp4, location: {lon: 121.6431, lat: 38.9152}}
                  - {id: cam-gone, url: nowhere.mp4, location: {lon: 121.6431, lat: 38.9152}}
                """;
        assertThat(errors(yaml)).singleElement().asString()
                .startsWith("cameras[1] (cam-gone).url: 'nowhere.mp4' is neither a stream URL");
        List<Camera> ok = read(yaml.lines().limit(2).reduce("", (a, b) -> a + b + "\n"));
        assertThat(ok.get(0).url()).isEqualTo(dir.resolve("clip.mp4").toAbsolutePath().toString());
        assertThat(ok.get(0).calibration()).isEmpty();
        assertThat(ok.get(0).zones()).isEmpty();
    }

    @Test
    void everyProblemIsListedWithTheCameraAndTheKey() {
        List<String> errors = errors("""
                cameras:
                  - id: cam-ok
                    url: rtsp://127.0.0.1:8554/ok
                    location: {lon: 121.6431, lat: 38.9152}
                  - id: cam-bad
                    url: ftp://example.org/x
                    location: {lon: 121.6431, lat: 38.9152, alt: 3}
                    zones:
                      - {name: z, purpose: parking, polygon: [[0.1,0.1],[0.2,0.2]]}
                      - {name: bow, purpose: roadway, polygon: [[0,0],[1,1],[1,0],[0,1]], schedule: "7-22"}
                      - {name: out, purpose: sidewalk, polygon: [[0,0],[1.5,0],[1,1]]}
                    calibration:
                      - {image: [0.1, 0.9], ground: [121.6429, 38.9150]}
                    colour: red
                  - url: rtsp://h/x
                    location: {lon: 10.0, lat: 10.0}
                  - id: cam-ok
                    url: rtsp://127.0.0.1:8554/ok
                    location: {lon: 121.6431, lat: 38.9152}
                """);
        assertThat(errors).containsExactlyInAnyOrder(
                "cameras[1] (cam-bad).colour: unknown key 'colour'; the keys here are [id, url, location, calibration, zones]",
                "cameras[1] (cam-bad).url: scheme 'ftp' is not supported; one of [rtsp, http, https, udp, tcp], or a file path",
                "cameras[1] (cam-bad).location.alt: unknown key 'alt'; the keys here are [lon, lat]",
                "cameras[1] (cam-bad).calibration: needs at least 4 points, got 1",
                "cameras[1] (cam-bad).zones[0].purpose: 'parking' is not a zone purpose; one of [no_vending, bin_area, roadway, sidewalk]",
                "cameras[1] (cam-bad).zones[0].polygon: needs at least 3 points, got 2",
                errors.stream().filter(e -> e.startsWith("cameras[1] (cam-bad).zones[1].polygon: not a valid polygon: Self-intersection")).findFirst().orElse("bow-tie missing"),
                "cameras[1] (cam-bad).zones[1].schedule: '7-22' is not HH:MM-HH:MM (Asia/Shanghai), e.g. \"07:00-22:00\"",
                "cameras[1] (cam-bad).zones[2].polygon[1]: [1.5,0] is out of range; [x, y], fractions 0..1 of the image",
                "cameras[2].id: missing",
                "cameras[2].location: 10.0, 10.0 (WGS-84) lies outside every unit grid, so the camera's cases could not be placed or "
                        + "assigned (gridwatch grids locate LON LAT tells whether a point is inside)",
                "cameras[3] (cam-ok).id: 'cam-ok' appears again; each camera once");
    }

    @Test
    void unknownTopLevelKeysAndBadYamlAreRefused() {
        assertThat(errors("cameras: []\ncamera: []\n")).containsExactly("camera: unknown key 'camera'; the keys here are [cameras]");
        assertThatThrownBy(() -> read("cameras: [ {id: x\n")).hasMessageContaining("not readable as YAML");
        assertThat(errors("{}")).containsExactly("cameras: missing");
        assertThatThrownBy(() -> read("""
                cameras:
                  - id: twice
                    url: rtsp://h/x
                    location: {lon: 121.6431, lat: 38.9152}
                    url: rtsp://h/y
                """)).hasMessageContaining("not readable as YAML").hasMessageContaining("Duplicate field 'url'");
    }

    @Test
    void aMalformedUrlIsRefusedWithoutPrintingItsPassword() {
        assertThat(errors("""
                cameras:
                  - {id: cam-pw, url: "rtsp://admin:p#ss w@10.0.0.5/x", location: {lon: 121.6431, lat: 38.9152}}
                """)).singleElement().asString()
                .startsWith("cameras[0] (cam-pw).url: not a valid URL (")
                .doesNotContain("p#ss");
    }

    @Test
    void urlCredentialsAreLeftOutOfTheListedUrl() {
        Camera c = new Camera("c", "rtsp://admin:secret@10.0.0.5:554/Streaming/101", new GroundPoint(121.6, 38.9), Optional.empty(), List.of());
        assertThat(c.urlWithoutCredentials()).isEqualTo("rtsp://10.0.0.5:554/Streaming/101");
    }
}
