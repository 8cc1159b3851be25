package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.evidence.FileEvidenceStore;
import io.gridwatch.ingest.video.CameraAssignments;
import io.gridwatch.ingest.video.FrameSink;
import io.gridwatch.json.Json;
import io.gridwatch.models.scene.CameraScenario;
import io.gridwatch.models.scene.CameraScenario.Kind;
import io.gridwatch.models.scene.SceneClip;
import io.gridwatch.rules.RuleCheck;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.store.CameraStore;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.RegistryImport;
import io.gridwatch.store.SensorStore;
import io.gridwatch.topics.Topics;
import io.gridwatch.video.DwellRules;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo's cameras, through the system {@code ./gridwatch up} starts: four scripted camera scenes
 * ({@link CameraScenario}: a stall set up in a no-vending zone, a bin overflowing, water collecting on a road, people
 * walking past and standing about) rendered as H.264 clips (cached under {@code var/demo/cameras}), served by real stream
 * servers ({@link DemoStreams}: two over RTSP through Debian's relay, two as MPEG-TS over TCP), registered as
 * {@code cameras import} does under ids of this run, with short dwell rules pushed as an analyst would; a water-level
 * gauge beside the water camera publishes over MQTT as devices do. The running camera workers, the video detection job
 * and the cases operator do the rest. Cases are printed as PostgreSQL gets them, then checked against the scenarios'
 * truth, with their evidence pictures (files whose SHA-256 must match the case).
 *
 * <p>Each run uses camera ids of its own ({@code demo-HHmmss-cam-stall}): the job keeps per-camera scene state (its
 * baseline of what the camera always showed), so a second run under the same ids would have the stall in its baseline.
 * The cameras and the rules are removed again at the end (their cases and evidence stay); the stream servers end with
 * the step.
 */
final class CameraDemo {

    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(CityDay.SHANGHAI);
    private static final DateTimeFormatter RUN_TAG = DateTimeFormatter.ofPattern("'demo-'HHmmss'-'").withZone(CityDay.SHANGHAI);

    /** Scene seconds a clip frame stands for: at 5 frames a second, a clip second is half a scene minute. */
    static final double SECONDS_PER_FRAME = 6;
    /**
     * Scene minutes before the thing appears (20 s of clip): the job learns the camera's baseline from its first 5 frames
     * (10 s at a frame every 2 s). An MPEG-TS camera's clip starts when the camera connects; an RTSP camera joins a stream
     * the relay already plays — the camera worker's first try over TCP is refused by Debian's relay (RTP over UDP only),
     * it reads over UDP from the next — so its clip waits longer ({@link #RTSP_BEFORE_MIN}).
     */
    static final double BEFORE_MIN = 10;
    /** Scene minutes before the thing appears on an RTSP camera (40 s of clip: it joined 15–22 s into the stream in trials). */
    static final double RTSP_BEFORE_MIN = 20;
    /** Scene minutes the thing stays (36 s of clip). */
    static final double STAY_MIN = 18;
    /** Scene minutes after it has gone (20 s of clip: long enough for the rules' clear_s). */
    static final double AFTER_MIN = 10;
    /**
     * Grey levels by which the served clips' brightness alternates from one key frame to the next (a camera's auto
     * exposure hunting), so that the camera workers' change gate lets every sampled frame through. The gate passes a
     * stall setting up (it counts changed cells since ChangeGate was mended), but once a thing has gone the view stays
     * unchanged and the gate lets it through only once a minute: a case ends on the first frame at least {@code clear_s}
     * after the thing was last seen, and the demo's clips end 20 s after it went. With the defaults (clear_s 5–30 min) a
     * minute's heartbeat costs nothing; for the demo's 8 s it would keep the water case open.
     */
    static final int FLICKER = 4;
    /** Bumped when the clips' recipe changes: the cache folder is named after it. */
    static final String CLIPS_VERSION = "v3";

    /** The demo's dwell rules (wall time, measured at capture): far shorter than the defaults (10 min for a stall). */
    static final int STAY_S = 10;
    static final int MAX_GAP_S = 8;
    static final int CLEAR_S = 8;
    static final int LATEST_EVERY_S = 12;
    /** How often the gauge beside the water camera reports. */
    static final Duration GAUGE_EVERY = Duration.ofSeconds(2);
    /** How long the system may take, after the clips have played, to judge their last frames and end the cases. */
    static final Duration SETTLE = Duration.ofSeconds(120);

    /** A demo camera: its scenario, and how it is served. */
    enum Cam {
        STALL(Kind.STALL, 1, true, "0501", "a stall set up in a plaza's no-vending zone, staying, then taken away"),
        BIN(Kind.BIN, 2, false, "0102", "garbage piling up over a bin on a sidewalk, then emptied"),
        WATER(Kind.WATER, 3, false, "0406", "water collecting on a roadway and draining, where a water-level gauge stands"),
        PEOPLE(Kind.PEOPLE, 1, true, null, "people walking past and groups standing about talking: nothing to raise");

        final Kind kind;
        /**
         * The seeds of CameraScenarioTest (whose detection rates models/README.md quotes), but for water: seed 3, whose
         * puddle is a candidate in 14 of its 18 sampled frames (seed 1's was missed while SceneBaseline judged a tile by its
         * mean change only).
         */
        final long seed;
        final boolean rtsp;
        final String category;
        final String story;

        Cam(Kind kind, long seed, boolean rtsp, String category, String story) {
            this.kind = kind;
            this.seed = seed;
            this.rtsp = rtsp;
            this.category = category;
            this.story = story;
        }

        CameraScenario scenario() {
            return CameraScenario.of(kind, seed, SECONDS_PER_FRAME, rtsp ? RTSP_BEFORE_MIN : BEFORE_MIN, STAY_MIN, AFTER_MIN);
        }

        /** The clip's file name without extension: what makes it differ from another camera's. */
        String clipName() {
            return String.format(Locale.ROOT, "%s-seed%d-before%.0f", kind.id(), seed, rtsp ? RTSP_BEFORE_MIN : BEFORE_MIN);
        }

        double appearS() {
            return scenario().appearFrame() / (double) SceneClip.FPS;
        }

        double goneS() {
            return scenario().goneFrame() / (double) SceneClip.FPS;
        }

        String id(String tag) {
            return tag + "cam-" + kind.id();
        }
    }

    /** What the step showed: whether every camera did as scripted, and one line for the demo's summary. */
    record Result(boolean asScripted, String summary) {
    }

    private final Workspace ws;
    private final Database db;
    private final PrintStream out;

    CameraDemo(Workspace ws, Database db, PrintStream out) {
        this.ws = ws;
        this.db = db;
        this.out = out;
    }

    Result run() throws Exception {
        long stepStart = System.nanoTime();
        if (!tools()) {
            return new Result(false, "NOT shown: " + String.join(" and ", DemoStreams.PACKAGES) + " missing (see above)");
        }
        Path dir = ws.varDir().resolve("demo/cameras");
        Map<Cam, Path> clips = clips(dir);

        long runStart = System.currentTimeMillis();
        String tag = RUN_TAG.format(Instant.ofEpochMilli(runStart));
        Map<Cam, String> ids = new LinkedHashMap<>();
        for (Cam c : Cam.values()) {
            ids.put(c, c.id(tag));
        }
        String gauge = tag + "wl-cam-water";
        Map<String, Cam> byId = new HashMap<>();
        ids.forEach((c, id) -> byId.put(id, c));

        Map<Cam, DemoStreams.Served> served = new LinkedHashMap<>();
        List<String> ruleIds = new ArrayList<>();
        Outcome outcome;
        try (DemoStreams streams = new DemoStreams(ws.varDir().resolve("log/demo-streams.log"));
             Watcher watcher = new Watcher(ws.config().stack().kafka().bootstrapServers(), byId.keySet())) {
            // 1. rules first, so that the job has them before the first frame
            Path rulesFile = dir.resolve("rules-" + tag.substring(0, tag.length() - 1) + ".json");
            ruleIds.addAll(pushRules(rulesFile, ids, gauge));
            // 2. the gauge beside the water camera, in the registry as `sensors import` does
            registerGauge(gauge);
            // 3. the stream servers, then at once the cameras (an RTSP camera can only be read once its clip is pushed, and
            // its clip plays from then on)
            Map<Cam, String> yamls = new LinkedHashMap<>();
            for (Cam c : Cam.values()) {
                String one = c.scenario().cameraYaml(ids.get(c), URL_SLOT);
                yamls.put(c, one.substring(one.indexOf('\n') + 1));
            }
            watcher.start();
            for (Cam c : Cam.values()) {
                served.put(c, c.rtsp ? streams.pushRtsp(clips.get(c), ids.get(c)) : streams.serveTcp(clips.get(c)));
            }
            Thread.sleep(500); // the pushers announce their streams to the relay
            for (Cam c : Cam.values()) {
                if (!served.get(c).process().isAlive()) {
                    throw new IllegalStateException("the stream server of " + ids.get(c) + " ended at once; see "
                            + ws.varDir().resolve("log/demo-streams.log"));
                }
            }
            Path yaml = dir.resolve("cameras-" + tag.substring(0, tag.length() - 1) + ".yaml");
            String imported = importCameras(yaml, yamls, served);
            out.printf("%nfour cameras, each a clip playing once in real time (a clip second stands for %.0f s of the scene), served by real "
                    + "stream servers (log %s):%n", SECONDS_PER_FRAME * SceneClip.FPS, ws.varDir().resolve("log/demo-streams.log"));
            ConsoleTable cams = new ConsoleTable("camera", "scene", "clip", "stream", "served by");
            for (Cam c : Cam.values()) {
                DemoStreams.Served s = served.get(c);
                cams.row(ids.get(c), c.story, String.format(Locale.ROOT, "%.0f s, %s %.0f–%.0f s", c.scenario().frames() / (double) SceneClip.FPS,
                        c.category == null ? "groups" : c.kind.target().id(), c.appearS(), c.goneS()), s.url(), s.how() + " (pid " + s.process().pid() + ")");
            }
            cams.print(out);
            out.printf("the RTSP relay: %s, ffmpeg pushing to it; cameras read it over RTP/UDP%n", streams.relay());
            out.println(imported);

            out.printf("%ncases as PostgreSQL gets them from the running system (camera workers → gw.frames.v1 → the video job → "
                    + "cases); ids below without the run's prefix %s, times Asia/Shanghai:%n%n", tag);
            outcome = watch(ids, gauge, served, watcher, runStart, tag);
        } finally {
            cleanUp(tag, ids, ruleIds);
        }
        return report(outcome, ids, gauge, served, tag, stepStart);
    }

    // ---- tools and clips -----------------------------------------------------------------------------------------

    /** ffmpeg and rtsp-server-perl: installed with apt-get when missing and we are root, else the exact command is printed. */
    private boolean tools() throws IOException, InterruptedException {
        List<String> missing = DemoStreams.missing();
        if (missing.isEmpty()) {
            return true;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            out.printf("✗ the camera step needs %s (the ffmpeg command line and Debian's RTSP relay) to serve its camera streams: "
                    + "run `sudo apt-get install %s`, then run the demo again%n", String.join(" and ", missing), String.join(" ", DemoStreams.PACKAGES));
            return false;
        }
        Path log = ws.varDir().resolve("log/apt-video.log");
        Files.createDirectories(log.getParent());
        out.printf("installing %s with apt-get (output in %s) …%n", String.join(" ", missing), log);
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q"));
        install.addAll(DemoStreams.PACKAGES);
        if (apt(install, log) != 0 && (apt(List.of("apt-get", "update", "-q"), log) != 0 || apt(install, log) != 0)) {
            out.printf("✗ apt-get install %s failed (see %s): install them yourself, then run the demo again%n",
                    String.join(" ", DemoStreams.PACKAGES), log);
            return false;
        }
        return DemoStreams.missing().isEmpty();
    }

    private static int apt(List<String> command, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** The folder the clips of this recipe are cached in. */
    static Path clipsDir(Path demoCameras) {
        return demoCameras.resolve(String.format(Locale.ROOT, "clips-%s-spf%.0f-s%.0f-a%.0f-flicker%d", CLIPS_VERSION, SECONDS_PER_FRAME,
                STAY_MIN, AFTER_MIN, FLICKER));
    }

    /**
     * The served clip of each camera: the scenario's H.264 clip (and its truth as JSON) re-encoded by ffmpeg with a key
     * frame every 2 s and the {@link #FLICKER}. Made once and kept: a second run starts at once.
     */
    private Map<Cam, Path> clips(Path dir) throws Exception {
        Path cache = clipsDir(dir);
        Files.createDirectories(cache);
        Map<Cam, Path> clips = new LinkedHashMap<>();
        List<Cam> todo = new ArrayList<>();
        for (Cam c : Cam.values()) {
            Path served = cache.resolve(c.clipName() + "-served.mp4");
            clips.put(c, served);
            if (!Files.isRegularFile(served)) {
                todo.add(c);
            }
        }
        if (todo.isEmpty()) {
            out.printf("clips (cached): %s — 320×240 H.264 at %d fps, a key frame every 2 s%n", cache, SceneClip.FPS);
            return clips;
        }
        long t0 = System.nanoTime();
        out.printf("rendering %d scenario clips (once, then cached in %s) …%n", todo.size(), cache);
        // FFmpeg's encoder chatter (OpenH264's warnings) would drown the demo's output: errors only
        org.bytedeco.ffmpeg.global.avutil.av_log_set_level(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Cam c : todo) {
                jobs.add(pool.submit(() -> {
                    render(c, cache, clips.get(c));
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        out.printf("  rendered in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return clips;
    }

    private static void render(Cam c, Path cache, Path served) throws IOException, InterruptedException {
        CameraScenario s = c.scenario();
        String base = c.clipName();
        Path raw = cache.resolve(base + ".mp4");
        CameraScenario.Truth truth = s.write(raw);
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(cache.resolve(base + ".json").toFile(), truth.toMap());
        Path tmp = cache.resolve(base + "-served.tmp.mp4");
        String flicker = String.format(Locale.ROOT, "geq=lum='clip(lum(X\\,Y)+if(lt(mod(N\\,%d)\\,%d)\\,%d\\,-%d)\\,0\\,255)':cb='cb(X\\,Y)':cr='cr(X\\,Y)'",
                4 * SceneClip.FPS, 2 * SceneClip.FPS, FLICKER, FLICKER);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", raw.toString()));
        if (FLICKER > 0) {
            cmd.addAll(List.of("-vf", flicker));
        }
        cmd.addAll(List.of("-c:v", "libx264",
                "-preset", "veryfast", "-crf", "18", "-g", Integer.toString(2 * SceneClip.FPS), "-keyint_min", Integer.toString(2 * SceneClip.FPS),
                "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-an", "-f", "mp4", tmp.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("ffmpeg could not re-encode " + raw + ": " + msg.strip());
        }
        Files.move(tmp, served, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- registration: rules, the gauge, the cameras ---------------------------------------------------------------

    /** Writes this run's rules file and pushes it as `rules push` does (the same parsing and checks); returns the rule ids. */
    private List<String> pushRules(Path file, Map<Cam, String> ids, String gauge) throws IOException {
        List<String> rules = new ArrayList<>();
        for (Cam c : Cam.values()) {
            String object = c == Cam.BIN ? "garbage" : c == Cam.WATER ? "water" : "stall";
            String code = c == Cam.BIN ? "0102" : c == Cam.WATER ? "0406" : "0501";
            rules.add(String.format(Locale.ROOT, "{\"schema\":1,\"rule_id\":\"%s%s\",\"family\":\"dwell.%s\",\"kind\":\"dwell\",\"enabled\":true,"
                            + "\"description\":\"demo: %s seen %d s (the default waits minutes)\",\"scope\":{\"camera\":\"%s\"},\"object\":\"%s\","
                            + "\"category\":{\"kind\":\"event\",\"code\":\"%s\"},%s\"stay_s\":%d,\"max_gap_s\":%d,\"clear_s\":%d,\"min_score\":0.6,"
                            + "\"latest_every_s\":%d}",
                    ids.get(c), "." + object, object, object, STAY_S, ids.get(c), object, code, c == Cam.WATER ? "\"team\":\"flood\"," : "",
                    STAY_S, MAX_GAP_S, CLEAR_S, LATEST_EVERY_S));
        }
        String sensorRule = String.format(Locale.ROOT, "{\"schema\":1,\"rule_id\":\"%s.water_level\",\"family\":\"water_level.default\","
                + "\"sensor_type\":\"water_level\",\"kind\":\"threshold\",\"enabled\":true,"
                + "\"description\":\"demo: depth >= 15 cm for 4 s; cleared after < 5 cm for 6 s (the default holds 5 and 10 min)\","
                + "\"scope\":{\"sensor\":\"%s\"},\"category\":{\"kind\":\"event\",\"code\":\"0406\"},\"team\":\"flood\","
                + "\"threshold\":{\"raise\":[{\"all\":[{\"metric\":\"water_level_cm\",\"op\":\">=\",\"value\":15}],\"for_s\":4}],"
                + "\"clear\":[{\"all\":[{\"metric\":\"water_level_cm\",\"op\":\"<\",\"value\":5}],\"for_s\":6}],"
                + "\"severity\":{\"metric\":\"water_level_cm\",\"levels\":[{\"at\":15,\"severity\":\"blue\"},{\"at\":30,\"severity\":\"yellow\"},"
                + "{\"at\":50,\"severity\":\"orange\"},{\"at\":80,\"severity\":\"red\"}]}}}", gauge, gauge);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "[\n" + String.join(",\n", rules) + ",\n" + sensorRule + "\n]\n");

        // as `rules push FILE` judges a file: dwell rules parsed key by key, sensor rules through RuleCheck
        var dwell = DwellRules.parseAll("[" + String.join(",", rules) + "]");
        RuleSet sensor = RuleSet.parse("[" + sensorRule + "]");
        RuleCheck.Findings f = RuleCheck.check(sensor.rules(), ws.catalogue());
        if (f.hasErrors()) {
            throw new IllegalStateException("the demo's sensor rule does not work: " + f.errors());
        }
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        List<String> ruleIds = new ArrayList<>();
        for (var r : dwell) {
            records.add(new ProducerRecord<>(Topics.RULES.name(), r.ruleId(), Json.mapper().writeValueAsString(r)));
            ruleIds.add(r.ruleId());
        }
        for (var r : sensor.rules()) {
            records.add(new ProducerRecord<>(Topics.RULES.name(), r.ruleId(), Json.mapper().writeValueAsString(r)));
            ruleIds.add(r.ruleId());
        }
        new TopicRecords(ws.config().stack().kafka().bootstrapServers()).write(records);
        out.printf("pushed %d rules to %s as `./gridwatch rules push %s` does: per camera a dwell rule of %d s (gaps up to %d s forgiven, "
                        + "ends %d s after the thing is gone; the defaults wait 3–10 min), and for the gauge 15 cm held 4 s (the default: 5 min)%n",
                records.size(), Topics.RULES.name(), file, STAY_S, MAX_GAP_S, CLEAR_S);
        return ruleIds;
    }

    /** The water-level gauge beside the water camera, where its puddle collects. */
    private void registerGauge(String gauge) {
        double[] at = CameraScenario.WATER_SENSOR_LON_LAT;
        String csv = String.format(Locale.ROOT, "sensor_id,type,lon,lat,component_code,interval_s,name%n%s,water_level,%.7f,%.7f,,60,积水监测（演示：摄像头旁）%n",
                gauge, at[0], at[1]);
        List<Sensor> sensors = SensorCsv.read(new StringReader(csv), "the demo's gauge", SensorCsv.inService(ws.index()::lookup, ws.catalogue()));
        RegistryImport r = new SensorStore(db.dataSource()).upsert(sensors, ws.index()::lookup);
        out.printf("a water-level gauge %s beside the water camera (at %.5f, %.5f, where the city day's %s stands), in the registry as "
                + "`sensors import` does (%d new)%n", gauge, at[0], at[1], CameraScenario.WATER_SENSOR, r.inserted());
    }

    /** As `cameras import FILE` does: the file's checks, the registry, then gw.cameras.v1 for the camera workers. */
    private String importCameras(Path yaml, Map<Cam, String> yamls, Map<Cam, DemoStreams.Served> served) throws IOException {
        StringBuilder sb = new StringBuilder("cameras:\n");
        yamls.forEach((c, one) -> sb.append(one.replace(URL_SLOT, served.get(c).url())));
        Files.writeString(yaml, sb.toString());
        List<Camera> cameras = CameraFile.read(yaml, ws.index()::lookup);
        RegistryImport r = new CameraStore(db.dataSource()).upsert(cameras, ws.index()::lookup);
        CameraAssignments.publish(ws.config().stack().kafka().bootstrapServers(), cameras, List.of());
        return String.format(Locale.ROOT, "imported %d cameras from %s as `./gridwatch cameras import` does (%d new; zones and a calibration "
                + "from each scene's perspective, in real unit grids) and published them to %s for the camera workers", cameras.size(), yaml,
                r.inserted(), Topics.CAMERAS.name());
    }

    private static final String URL_SLOT = "@URL@";

    // ---- while the clips play -------------------------------------------------------------------------------------

    /** What was seen while the clips played. */
    private record Outcome(Map<String, Long> streamStart, Map<String, Long> firstFrame, Map<String, Integer> frames, List<CaseFile> cases,
                           boolean settled, double maxGaugeCm) {
    }

    private Outcome watch(Map<Cam, String> ids, String gauge, Map<Cam, DemoStreams.Served> served, Watcher watcher, long runStart,
                          String tag) throws Exception {
        Set<String> mine = new java.util.HashSet<>(ids.values());
        mine.add(gauge);
        CameraScenario water = Cam.WATER.scenario();
        double clipS = java.util.Arrays.stream(Cam.values()).mapToDouble(c -> c.scenario().frames() / (double) SceneClip.FPS).max().orElse(0);
        ConsoleTable.Live live = new ConsoleTable.Live(out, new int[] {8, 26, 14, 14, 48, 16}, "time", "case", "category", "street",
                "sources", "status", "evidence");
        live.header();
        Map<String, String> shown = new HashMap<>();
        Map<String, Long> streamStart = new HashMap<>();
        for (Cam c : Cam.values()) {
            if (served.get(c).startedAt() > 0) {
                streamStart.put(ids.get(c), served.get(c).startedAt());
            }
        }
        Set<String> noted = new java.util.HashSet<>();
        double maxGauge = 0;
        boolean gaugeHigh = false;
        long seq = 0;
        long nextReading = 0;
        long clipsEnd = Long.MAX_VALUE;
        long deadline = System.currentTimeMillis() + Duration.ofSeconds(Math.round(clipS)).toMillis() + 60_000 + SETTLE.toMillis();
        boolean settled = false;
        long judgedAt = Long.MAX_VALUE;
        MqttAsyncClient mqtt = new MqttAsyncClient(ws.config().stack().mqtt().uri(), "gridwatch-demo-gauge-" + System.nanoTime(), new MemoryPersistence());
        try {
            mqtt.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            while (true) {
                long now = System.currentTimeMillis();
                // the cameras' first frames, as the workers send them
                for (Cam c : Cam.values()) {
                    String id = ids.get(c);
                    Long first = watcher.firstFrame.get(id);
                    if (first != null && noted.add(id)) {
                        streamStart.putIfAbsent(id, first);
                        long playing = first - streamStart.get(id);
                        live.note(String.format(Locale.ROOT, "%s  %s: first frame from the camera worker (%s)%s", HMS.format(Instant.ofEpochMilli(first)),
                                c.id(""), served.get(c).how(), c.rtsp ? String.format(Locale.ROOT, ", %.1f s into the clip", playing / 1000.0) : ""));
                    }
                }
                // the gauge beside the water camera reads what the scene holds: dry, rising with the puddle, draining
                if (now >= nextReading) {
                    nextReading = now + GAUGE_EVERY.toMillis();
                    Long start = streamStart.get(ids.get(Cam.WATER));
                    double cm = gaugeCm(water, start == null ? -1 : (now - start) / 1000.0, seq);
                    maxGauge = Math.max(maxGauge, cm);
                    String payload = String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{\"water_level_cm\":%.1f,\"battery_pct\":88},\"seq\":%d}", now, cm, ++seq);
                    mqtt.publish(TelemetryParser.TOPIC_PREFIX + gauge + "/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1, false);
                    if (cm >= 15 != gaugeHigh) {
                        gaugeHigh = cm >= 15;
                        live.note(String.format(Locale.ROOT, "%s  gauge %s reads %.0f cm (%s)", HMS.format(Instant.ofEpochMilli(now)),
                                gauge.substring(tag.length()), cm, gaugeHigh ? "≥ 15 cm: water on the road" : "below 15 cm"));
                    }
                }
                // cases as PostgreSQL gets them
                List<CaseFile> current = casesOf(mine, runStart);
                for (CaseFile k : current) {
                    String state = k.status() + "|" + k.sources().size() + "|" + frames(k) + "|" + k.severity();
                    if (!state.equals(shown.put(k.caseId(), state))) {
                        live.row(HMS.format(Instant.ofEpochMilli(now)), k.caseId(), k.category().code() + " " + k.category().name(),
                                k.grid().street(), sources(k, tag), k.status() + (k.severity() == null ? "" : " " + k.severity()),
                                frames(k) + " frame" + (frames(k) == 1 ? "" : "s"));
                    }
                }
                // done: the clips have played, the job has judged every frame sent, and every expected case has ended
                boolean playing = served.values().stream().anyMatch(s -> s.process().isAlive());
                if (!playing && clipsEnd == Long.MAX_VALUE) {
                    clipsEnd = now;
                    live.note(String.format(Locale.ROOT, "%s  the clips have played; the stream servers ended", HMS.format(Instant.ofEpochMilli(now))));
                }
                boolean judged = !playing && now > clipsEnd + 3_000 && ids.values().stream().allMatch(watcher::caughtUp);
                if (judged && judgedAt == Long.MAX_VALUE) {
                    judgedAt = now;
                }
                boolean expected = List.of(Cam.STALL, Cam.BIN, Cam.WATER).stream().allMatch(c -> !casesOfCamera(current, ids.get(c)).isEmpty());
                // every frame judged and no case open: done (a case missing then will not come: give it 10 s for the checkpoint)
                if (judged && current.stream().noneMatch(k -> CaseStatusOpen.open(k.status())) && (expected || now > judgedAt + 10_000)) {
                    settled = true;
                    break;
                }
                if (now > deadline) {
                    live.note("gave up waiting: " + (playing ? "a clip is still playing" : !judged ? "the video job has not judged every frame sent"
                            : "a case has not ended"));
                    break;
                }
                Thread.sleep(500);
            }
        } finally {
            if (mqtt.isConnected()) {
                mqtt.disconnect().waitForCompletion(5_000);
            }
            mqtt.close();
        }
        Map<String, Integer> frames = new HashMap<>();
        watcher.frames.forEach((k, v) -> frames.put(k, v.get()));
        return new Outcome(streamStart, new HashMap<>(watcher.firstFrame), frames, casesOf(mine, runStart), settled, maxGauge);
    }

    /** Whether a case status means open (not ended). */
    private static final class CaseStatusOpen {
        static boolean open(String status) {
            return !Set.of("verified", "closed", "rejected", "evaluated").contains(status);
        }
    }

    /**
     * The gauge's depth {@code t} seconds into the water clip: 2 cm dry, and while the scenario's puddle is there
     * 2 + 36 × its amount (the first puddle 11 cm, the full one 38 cm), a little noise on top.
     */
    static double gaugeCm(CameraScenario water, double t, long seq) {
        double noise = ((seq * 7919) % 11 - 5) / 10.0;
        if (t < 0) {
            return Math.max(0, 2 + noise / 2);
        }
        int frame = (int) Math.floor(t * SceneClip.FPS);
        double amount = frame < water.frames() ? water.amountAt(frame) : 0;
        return Math.max(0, Math.round((2 + 36 * amount + noise / 2) * 10) / 10.0);
    }

    private List<CaseFile> casesOf(Set<String> sources, long since) {
        return new CaseStore(db.dataSource()).list(Instant.ofEpochMilli(since - 60_000), null).stream()
                .filter(c -> c.sources().stream().anyMatch(s -> sources.contains(s.id())))
                .sorted(Comparator.comparingLong(CaseFile::firstSeen)).toList();
    }

    private static List<CaseFile> casesOfCamera(List<CaseFile> cases, String camera) {
        return cases.stream().filter(c -> c.sources().stream().anyMatch(s -> s.id().equals(camera))).toList();
    }

    private static long frames(CaseFile c) {
        return c.evidence().stream().filter(e -> "frame".equals(e.type())).count();
    }

    private static String sources(CaseFile c, String tag) {
        return c.sources().stream().map(s -> s.type() + " " + (s.id().startsWith(tag) ? s.id().substring(tag.length()) : s.id())
                + (s.zone() == null ? "" : "/" + s.zone())).collect(Collectors.joining(" + "));
    }

    // ---- clean up, then check ------------------------------------------------------------------------------------

    /** Removes this run's cameras (as `cameras remove` does: their streams stop on the workers) and rules; cases and evidence stay. */
    private void cleanUp(String tag, Map<Cam, String> ids, List<String> ruleIds) {
        List<String> cams = new ArrayList<>(ids.values());
        try {
            new CameraStore(db.dataSource()).delete(cams);
            CameraAssignments.publish(ws.config().stack().kafka().bootstrapServers(), List.of(), cams);
            List<ProducerRecord<String, String>> tombstones = ruleIds.stream()
                    .map(id -> new ProducerRecord<String, String>(Topics.RULES.name(), id, null)).toList();
            if (!tombstones.isEmpty()) {
                new TopicRecords(ws.config().stack().kafka().bootstrapServers()).write(tombstones);
            }
            out.printf("%nthe stream servers ended; this run's cameras removed from the registry (as `cameras remove` does) and its %d rules "
                    + "deleted from %s; their cases and evidence stay%n", ruleIds.size(), Topics.RULES.name());
        } catch (RuntimeException e) {
            out.printf("%ncould not remove this run's cameras %s or rules %s: %s (remove them with `./gridwatch cameras remove` and "
                    + "`./gridwatch rules push --delete`)%n", cams, ruleIds, e.getMessage());
        }
    }

    private Result report(Outcome o, Map<Cam, String> ids, String gauge, Map<Cam, DemoStreams.Served> served, String tag, long stepStart) {
        List<String> problems = new ArrayList<>();
        List<String> good = new ArrayList<>();
        List<CaseFile> all = o.cases();
        Map<String, Path> evidenceFolders = new LinkedHashMap<>();
        int pictures = 0;
        int matching = 0;

        out.println();
        out.println("the cases against the scenarios' truth (clip times from the stream's start; truth from the scenario script):");
        for (Cam c : Cam.values()) {
            String id = ids.get(c);
            CameraScenario s = c.scenario();
            double appear = s.appearFrame() / (double) SceneClip.FPS;
            double gone = s.goneFrame() / (double) SceneClip.FPS;
            List<CaseFile> found = casesOfCamera(all, id);
            int frames = o.frames().getOrDefault(id, 0);
            String head = String.format(Locale.ROOT, "%-11s (%s, %d frames judged) ", c.kind.id(), served.get(c).how(), frames);
            if (c.category == null) {
                if (found.isEmpty() && frames > 0) {
                    good.add(c.kind.id() + " → nothing");
                    out.printf("  ✓ %snothing raised: %s%n", head, c.story);
                } else {
                    problems.add(c.kind.id() + ": expected nothing, " + (frames == 0 ? "but no frame came" : found.size() + " case(s)"));
                    out.printf("  ✗ %sexpected nothing; %s%n", head, frames == 0 ? "no frame came from the camera" : "cases " + found.stream().map(CaseFile::caseId).toList());
                }
                continue;
            }
            if (found.size() != 1) {
                problems.add(c.kind.id() + ": expected one " + c.category + " case, found " + found.size());
                out.printf("  ✗ %sexpected one %s case (%s), found %d%s%n", head, c.category, c.story, found.size(),
                        frames == 0 ? "; no frame came from the camera" : "");
                continue;
            }
            CaseFile k = found.get(0);
            List<String> wrong = new ArrayList<>();
            if (!k.category().code().equals(c.category)) {
                wrong.add("category " + k.category().code());
            }
            if (!k.status().equals("verified")) {
                wrong.add("status " + k.status() + " (it should have ended, auto-verified, when the " + c.kind.target().id() + " was gone)");
            }
            Long start = o.streamStart().get(id);
            double firstAt = start == null ? Double.NaN : (k.firstSeen() - start) / 1000.0;
            if (start != null && (firstAt < appear - 3 || firstAt > gone)) {
                wrong.add(String.format(Locale.ROOT, "first seen %.1f s into the clip, while the %s is there from %.1f to %.1f s", firstAt,
                        c.kind.target().id(), appear, gone));
            }
            List<String> roles = k.evidence().stream().filter(e -> "frame".equals(e.type())).map(e -> role(e.uri())).distinct().toList();
            // the water case ends when the last of its sources clears; whichever leaves first, its closing frame stays
            List<String> want = c == Cam.STALL ? List.of("appeared", "confirmed", "latest", "cleared") : List.of("appeared", "confirmed", "cleared");
            if (!roles.containsAll(want)) {
                wrong.add("evidence " + roles + ", expected " + want);
            }
            boolean camera = k.sources().stream().anyMatch(x -> x.type().equals("camera") && x.id().equals(id));
            boolean sensor = k.sources().stream().anyMatch(x -> x.type().equals("sensor") && x.id().equals(gauge));
            if (c == Cam.WATER && !(camera && sensor && k.sources().size() == 2)) {
                wrong.add("sources " + sources(k, tag) + ", expected the camera and the gauge");
            }
            for (CaseFile.Evidence e : k.evidence()) {
                if (!"frame".equals(e.type())) {
                    continue;
                }
                pictures++;
                try {
                    Path file = Path.of(URI.create(e.uri()));
                    evidenceFolders.putIfAbsent(id, file.getParent());
                    if (FileEvidenceStore.sha256(Files.readAllBytes(file)).equals(e.sha256())) {
                        matching++;
                    } else {
                        wrong.add("evidence " + file + " does not match its SHA-256");
                    }
                } catch (IOException | RuntimeException ex) {
                    wrong.add("evidence " + e.uri() + " cannot be read: " + ex.getMessage());
                }
            }
            String what = String.format(Locale.ROOT, "%s %s %s, %s; seen %.1f–%.1f s into the clip (the %s is there %.1f–%.1f s); sources %s; evidence %s",
                    k.caseId(), k.category().code(), k.category().name(), k.status(), firstAt, start == null ? Double.NaN : (k.lastSeen() - start) / 1000.0,
                    c.kind.target().id(), appear, gone, sources(k, tag), roles);
            if (wrong.isEmpty()) {
                good.add(c.kind.id() + " → " + c.category + (c == Cam.WATER ? " (camera + gauge)" : ""));
                out.printf("  ✓ %s%s%n", head, what);
            } else {
                problems.add(c.kind.id() + ": " + String.join("; ", wrong));
                out.printf("  ✗ %s%s%n      %s%n", head, what, String.join("; ", wrong));
            }
        }
        List<CaseFile> others = all.stream().filter(k -> ids.values().stream().noneMatch(id -> casesOfCamera(List.of(k), id).size() == 1)).toList();
        if (!others.isEmpty()) {
            problems.add("cases of the gauge alone: " + others.stream().map(CaseFile::caseId).toList());
            out.printf("  ✗ the gauge raised a case of its own, not joined with the water camera's: %s%n", others.stream().map(CaseFile::caseId).toList());
        }
        if (!o.settled()) {
            problems.add("the system had not settled within " + SETTLE.toSeconds() + " s after the clips");
        }

        out.println();
        out.println("evidence pictures (faces and plates blurred, the box drawn; `./gridwatch evidence show URI` checks one):");
        for (CaseFile k : all) {
            for (CaseFile.Evidence e : k.evidence()) {
                if ("frame".equals(e.type())) {
                    out.printf("  %-26s %-9s %s%n", k.caseId(), role(e.uri()), Path.of(URI.create(e.uri())));
                }
            }
        }
        out.printf("  %d pictures, %d matching the SHA-256 their case records; folders: %s%n", pictures, matching,
                evidenceFolders.values().stream().map(Path::toString).distinct().collect(Collectors.joining(", ")));
        problems.forEach(p -> out.println("    ✗ " + p));
        out.printf("   · the camera step took %.0f s%n", (System.nanoTime() - stepStart) / 1e9);

        Path evidenceRoot = evidenceFolders.values().stream().findFirst().map(p -> p.getParent().getParent()).orElse(ws.varDir().resolve("evidence"));
        String summary = String.format(Locale.ROOT, "%s; %d evidence pictures under %s (%d matching their SHA-256)",
                problems.isEmpty() ? String.join(", ", good) : "NOT as scripted: " + String.join("; ", problems), pictures, evidenceRoot, matching);
        return new Result(problems.isEmpty(), summary);
    }

    /** The evidence role in a picture's name ({@code …Z-<role>-<hash>.jpg}). */
    static String role(String uri) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        String[] parts = name.split("-");
        return parts.length >= 3 ? parts[parts.length - 2] : "?";
    }

    // ---- what the camera workers send and the job judges ------------------------------------------------------------

    /**
     * Follows {@code gw.frames.v1} (the frames the camera workers send: first capture time and count per camera) and
     * {@code gw.observations.v1} (the newest frame time per camera the video job has judged), from their ends.
     */
    static final class Watcher implements AutoCloseable {
        final Map<String, Long> firstFrame = new ConcurrentHashMap<>();
        final Map<String, Long> lastFrame = new ConcurrentHashMap<>();
        final Map<String, java.util.concurrent.atomic.AtomicInteger> frames = new ConcurrentHashMap<>();
        final Map<String, Long> lastJudged = new ConcurrentHashMap<>();
        private final String bootstrap;
        private final Set<String> cameras;
        private final Thread thread;
        private volatile boolean stop;
        private volatile boolean ready;

        Watcher(String bootstrap, Set<String> cameras) {
            this.bootstrap = bootstrap;
            this.cameras = Set.copyOf(cameras);
            this.thread = new Thread(this::run, "demo-camera-watcher");
            this.thread.setDaemon(true);
        }

        void start() throws InterruptedException {
            thread.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ready && thread.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        /** Whether the job has judged the newest frame sent by this camera (or it sent none). */
        boolean caughtUp(String camera) {
            Long sent = lastFrame.get(camera);
            return sent == null || lastJudged.getOrDefault(camera, 0L) >= sent;
        }

        private void run() {
            java.util.Properties p = new java.util.Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (String topic : List.of(Topics.FRAMES.name(), Topics.OBSERVATIONS.name())) {
                    consumer.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                }
                consumer.assign(parts);
                consumer.seekToEnd(parts);
                parts.forEach(consumer::position); // resolve the end offsets now: nothing of this run is missed
                ready = true;
                while (!stop) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                        if (r.key() == null || !cameras.contains(r.key())) {
                            continue;
                        }
                        if (r.topic().equals(Topics.FRAMES.name())) {
                            Header h = r.headers().lastHeader(FrameSink.CAPTURE_TIME);
                            long at = h == null ? r.timestamp() : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
                            firstFrame.putIfAbsent(r.key(), at);
                            lastFrame.merge(r.key(), at, Math::max);
                            frames.computeIfAbsent(r.key(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                        } else {
                            try {
                                JsonNode o = Json.mapper().readTree(r.value());
                                lastJudged.merge(r.key(), o.path("ts").asLong(), Math::max);
                            } catch (IOException e) {
                                // not ours to judge: the job wrote it
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (!stop) {
                    System.err.println("demo: following " + Topics.FRAMES.name() + " failed: " + e.getMessage());
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5_000);
        }
    }

    @Override
    public String toString() {
        return "CameraDemo[" + Objects.toString(ws.varDir()) + "]";
    }
}
