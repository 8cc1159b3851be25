package io.gridwatch.cli;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.evidence.EvidenceStore;
import io.gridwatch.evidence.FileEvidenceStore;
import io.gridwatch.models.Box;
import io.gridwatch.models.evidence.EvidenceFrames;
import io.gridwatch.models.evidence.PrivacyBlur;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code gridwatch evidence add | show | purge}: the evidence store of cases' pictures (README: Evidence pictures). */
@Command(name = "evidence", description = "Cases' evidence pictures (证据图片): faces and plates blurred, kept under evidence.dir.",
        subcommands = {EvidenceCommand.Add.class, EvidenceCommand.Show.class, EvidenceCommand.Purge.class})
final class EvidenceCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    FileEvidenceStore store() throws IOException {
        Workspace ws = top.workspace();
        return new FileEvidenceStore(ws.config().evidence().root(ws.varDir()));
    }

    @Command(name = "add", description = {"Render a camera frame as an evidence picture (faces and licence plates blurred, the box",
            "drawn with its label) and store it; prints its URI and sha256."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        EvidenceCommand evidence;

        @Parameters(index = "0", paramLabel = "FRAME", description = "the frame, JPEG or PNG")
        Path frame;

        @Option(names = "--camera", required = true, description = "the camera that took it")
        String camera;

        @Option(names = "--role", defaultValue = "latest", description = "appeared, confirmed, latest or cleared (default: ${DEFAULT-VALUE})")
        String role;

        @Option(names = "--at", description = "when it was taken, ISO-8601 (default: now)")
        Instant at;

        @Option(names = "--box", paramLabel = "X1,Y1,X2,Y2", description = "the object's box in 0..1 (default: none)")
        String box;

        @Option(names = "--label", defaultValue = "", description = "a short ASCII label drawn above the box")
        String label;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(frame)) {
                throw new IllegalArgumentException("no such file: " + frame);
            }
            Box b = box == null ? null : parseBox(box);
            EvidenceFrames.Rendered r;
            try (EvidenceFrames frames = new EvidenceFrames()) {
                r = frames.render(Files.readAllBytes(frame), b, label);
            }
            EvidenceStore.Stored s = evidence.store().put(camera, at == null ? Instant.now() : at, role, r.jpeg());
            System.out.println(s.uri());
            System.out.printf(Locale.ROOT, "sha256 %s, %d bytes; blurred %s%n", s.sha256(), s.bytes(), r.blurred().isEmpty() ? "nothing"
                    : r.blurred().stream().collect(Collectors.groupingBy(PrivacyBlur.Region::kind, Collectors.counting())));
            return 0;
        }

        static Box parseBox(String s) {
            String[] p = s.split(",");
            if (p.length != 4) {
                throw new IllegalArgumentException("--box must be X1,Y1,X2,Y2 in 0..1, got '" + s + "'");
            }
            double[] v = new double[4];
            for (int i = 0; i < 4; i++) {
                v[i] = Double.parseDouble(p[i].trim());
                if (!(v[i] >= 0 && v[i] <= 1)) {
                    throw new IllegalArgumentException("--box coordinates must be within 0..1, got '" + s + "'");
                }
            }
            return new Box(v[0], v[1], v[2], v[3]);
        }
    }

    @Command(name = "show", description = {"Check an evidence picture: where its file is, its size, and that its sha256 matches its",
            "name (and --sha256, the hash the case carries). Exit status 1 when it does not, 3 when the picture is gone."})
    static final class Show implements Callable<Integer> {
        @ParentCommand
        EvidenceCommand evidence;

        @Parameters(index = "0", paramLabel = "URI", description = "the picture's URI as the case gives it (file:///…)")
        URI uri;

        @Option(names = "--sha256", paramLabel = "HEX", description = "the sha256 the case carries for it")
        String expected;

        @Override
        public Integer call() throws IOException {
            FileEvidenceStore store = evidence.store();
            Path file = store.pathOf(uri);
            Optional<byte[]> bytes = store.get(uri);
            if (bytes.isEmpty()) {
                System.out.println("no picture at " + uri + " (deleted by retention, or never stored)");
                return Gridwatch.NOT_FOUND;
            }
            String sha = FileEvidenceStore.sha256(bytes.get());
            System.out.println("file    " + file);
            System.out.println("bytes   " + bytes.get().length);
            System.out.println("sha256  " + sha);
            // the video job names a picture before rendering it: then only the case's hash can tell
            boolean byContent = FileEvidenceStore.namedByContent(file);
            boolean nameOk = !byContent || sha.startsWith(FileEvidenceStore.nameHashPrefix(file));
            boolean caseOk = expected == null || expected.equalsIgnoreCase(sha);
            System.out.println("name    " + (!byContent ? "chosen before rendering (no hash in it: check --sha256)"
                    : nameOk ? "matches" : "DOES NOT MATCH (" + FileEvidenceStore.nameHashPrefix(file) + "…)"));
            if (expected != null) {
                System.out.println("case    " + (caseOk ? "matches" : "DOES NOT MATCH (" + expected + ")"));
            }
            if (!nameOk || !caseOk) {
                System.err.println("evidence picture " + uri + " was changed after it was stored");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "purge", description = {"Delete evidence pictures taken more than DAYS days ago (default: evidence.retention_days)",
            "and the folders left empty."})
    static final class Purge implements Callable<Integer> {
        @ParentCommand
        EvidenceCommand evidence;

        @Option(names = "--older-than", paramLabel = "DAYS", description = "age in days (default: evidence.retention_days)")
        Integer days;

        @Override
        public Integer call() throws IOException {
            GridwatchConfig.EvidenceConfig config = evidence.top.workspace().config().evidence();
            Duration age = days == null ? config.retention() : Duration.ofDays(days);
            if (age.isNegative()) {
                throw new IllegalArgumentException("--older-than must be 0 or more days, got " + days);
            }
            FileEvidenceStore store = evidence.store();
            Instant cutoff = Instant.now().minus(age);
            int n = store.deleteTakenBefore(cutoff);
            System.out.printf(Locale.ROOT, "deleted %d pictures taken before %s from %s%n", n, cutoff, store.root());
            return 0;
        }
    }
}
