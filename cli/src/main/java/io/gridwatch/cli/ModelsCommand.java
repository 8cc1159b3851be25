package io.gridwatch.cli;

import io.gridwatch.json.Json;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.FineTuner;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.cnn.Trainer;
import io.gridwatch.models.detect.CnnTileDetector;
import io.gridwatch.models.eval.LabelledPhotos;
import io.gridwatch.models.eval.PhotoEvaluation;
import io.gridwatch.models.eval.ReportWriter;
import io.gridwatch.models.eval.SceneLevel;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.photos.PhotoScenes;
import io.gridwatch.models.photos.WallpaperPhotos;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.CameraScenario;
import io.gridwatch.models.scene.DayScenario;
import io.gridwatch.models.scene.SceneClip;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;
import io.gridwatch.models.tiles.ScenePool;
import io.gridwatch.models.tiles.SceneSets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gridwatch models train | evaluate | generate}: the camera detectors of models/ (see models/README.md). */
@Command(name = "models", description = "The camera detectors: train the tile models, evaluate them, generate labelled scenes and clips.",
        subcommands = {ModelsCommand.Train.class, ModelsCommand.Evaluate.class, ModelsCommand.Generate.class})
final class ModelsCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    static final class TaskChoices extends ArrayList<String> {
        TaskChoices() {
            super(List.of("objects", "snow", "all"));
        }
    }

    @Command(name = "train", description = "Train tile models from scratch on generated scenes, evaluate them on held-out scenes and write them "
            + "with their metadata; or with --images DIR --labels CSV fine-tune both models on your own labelled frames and compare them with "
            + "the models they started from on the held-out frames.")
    static final class Train implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Option(names = "--task", completionCandidates = TaskChoices.class,
                description = "objects (stall, garbage, water), snow, or all (required unless --images: fine-tuning tunes both)")
        String task;

        @Option(names = "--images", paramLabel = "DIR", description = "fine-tune on your own labelled frames in this folder (with --labels)")
        Path images;

        @Option(names = "--labels", paramLabel = "CSV", description = "their labels: image,label,x1,y1,x2,y2 (the format evaluate --labels reads)")
        Path labels;

        @Option(names = "--models", defaultValue = "committed", paramLabel = "committed|DIR",
                description = "fine-tuning: the models to start from, the committed ones (default) or a folder written by train")
        String startModels;

        @Option(names = "--holdout", defaultValue = "0.25", description = "fine-tuning: the share of images (of each class) held out to compare "
                + "the models on, never trained on (default ${DEFAULT-VALUE})")
        double holdout;

        @Option(names = "--check-scenes", defaultValue = "100", description = "fine-tuning: held-out generated scenes both models are measured "
                + "on, to see that the fine-tuned one did not forget them (default ${DEFAULT-VALUE}; 0: none)")
        int checkScenes;

        @Option(names = "--generated-share", defaultValue = "0.5", description = "fine-tuning: the share of generated-scene tiles mixed into "
                + "every epoch, so that the models do not forget generated scenes (default ${DEFAULT-VALUE}; 0: your frames only)")
        double generatedShare;

        @Option(names = "--refit-scenes", defaultValue = "300", description = "fine-tuning: validation scenes (with the training frames) to fit "
                + "the context stage and the decision factors again on (default ${DEFAULT-VALUE}; 0 keeps the start model's)")
        int refitScenes;

        @Option(names = "--report", paramLabel = "DIR", description = "fine-tuning: where to write the comparison (default: var/models/report; "
                + "its files start with " + FineTuner.PREFIX + ", beside the other reports)")
        Path report;

        @Option(names = "--seed", defaultValue = "7", description = "training seed, 0..899 (default ${DEFAULT-VALUE}); the same seed gives the same metrics (±0.01)")
        long seed;

        @Option(names = "--scenes", description = "training scenes (default: objects 40000, snow 3600)")
        Integer scenes;

        @Option(names = "--epochs", description = "passes over each chunk of 400 scenes' tiles (default 1); fine-tuning: passes over the "
                + "frames' tiles, each drawn afresh (default 2)")
        Integer epochs;

        @Option(names = "--out", paramLabel = "DIR", description = "where to write <task>.zip and <task>.json (default: var/models; "
                + "fine-tuning: var/models/fine-tuned)")
        Path out;

        @Option(names = "--validation-scenes", description = "validation scenes (from the seed's own range, never held out) to fit the "
                + "context stage and the decision factors on (default 2400)")
        Integer validationScenes;

        @Option(names = "--held-out", description = "held-out mixed scenes to measure on (default: per task)")
        Integer heldOut;

        @Option(names = "--distractor-scenes", description = "held-out distractor-only scenes (default: per task)")
        Integer distractorScenes;

        @Option(names = "--generated-only", description = "train on generated scenes only, without the real pictures of Debian's wallpaper "
                + "packages (models/DATA.md; by default they are fetched on first use into var/cache/wallpapers)")
        boolean generatedOnly;

        private PhotoScenes photos;

        /** The real pictures, loaded once for all tasks (null with --generated-only). */
        private PhotoScenes photoScenes(PrintStream o) {
            if (!generatedOnly && photos == null) {
                photos = PhotoScenes.wallpapers(models.top.workspace().varDir().resolve("cache/wallpapers"), o);
            }
            return photos;
        }

        @Override
        public Integer call() {
            if ((images == null) != (labels == null)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--images and --labels go together");
            }
            if (images != null) {
                return fineTune();
            }
            if (task == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--task is required (objects, snow or all) to train from "
                        + "scratch on generated scenes; to fine-tune on your own frames give --images DIR --labels CSV");
            }
            PrintStream o = System.out;
            Path dir = out != null ? out : models.top.workspace().varDir().resolve("models");
            List<Task> tasks = "all".equalsIgnoreCase(task) ? List.of(Task.values()) : List.of(Task.of(task));
            long t0 = System.nanoTime();
            ReportWriter report = new ReportWriter(dir.resolve("train-report"), "gridwatch models train --task " + task + " --seed " + seed);
            for (Task t : tasks) {
                Trainer.Options opt = Trainer.Options.defaults(t).withSeed(seed);
                if (scenes != null) {
                    opt = opt.withScenes(scenes);
                }
                if (epochs != null) {
                    opt = opt.withEpochs(epochs);
                }
                if (validationScenes != null) {
                    opt = opt.withValidation(validationScenes);
                }
                if (heldOut != null || distractorScenes != null) {
                    opt = opt.withHeldOut(heldOut != null ? heldOut : opt.heldOut(), distractorScenes != null ? distractorScenes : opt.distractorScenes());
                }
                Trainer.Result r = new Trainer(o, photoScenes(o)).train(opt, dir);
                o.print(report.add(t.id(), r.heldOut(), r.distractors()));
                o.printf(Locale.ROOT, "  %s: %s, %,d bytes, %.0f s%n%n", t.id(), r.file(), fileSize(r.file()), r.seconds());
            }
            report.finish();
            o.printf(Locale.ROOT, "trained %d model%s in %.1f min; report in %s%n", tasks.size(), tasks.size() == 1 ? "" : "s",
                    (System.nanoTime() - t0) / 60e9, report.dir());
            return 0;
        }

        /** {@code --images DIR --labels CSV}: both models fine-tuned on the frames, compared with the start models on the held-out ones. */
        private int fineTune() {
            if (task != null || scenes != null || validationScenes != null || heldOut != null || distractorScenes != null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "fine-tuning (--images) tunes both models on your frames: "
                        + "--task, --scenes, --validation-scenes, --held-out and --distractor-scenes are for training from scratch");
            }
            List<LabelledPhotos.Photo> photos = LabelledPhotos.read(images, labels); // every bad row, with its line, or nothing trained
            FineTuner.Options opt = FineTuner.Options.defaults().withSeed(seed).withHoldout(holdout).withCheckScenes(checkScenes)
                    .withRefitScenes(refitScenes).withGeneratedShare(generatedShare);
            if (epochs != null) {
                opt = opt.withEpochs(epochs);
            }
            Map<Task, TileClassifier> start = new java.util.EnumMap<>(Task.class);
            for (Task t : Task.values()) {
                start.put(t, "committed".equals(startModels) ? TileClassifier.committed(t) : TileClassifier.load(Path.of(startModels), t));
            }
            Path dir = out != null ? out : models.top.workspace().varDir().resolve("models/fine-tuned");
            Path rep = report != null ? report : models.top.workspace().varDir().resolve("models/report");
            String command = "gridwatch models train --images " + images + " --labels " + labels + " --models " + startModels + " --seed " + seed
                    + " --holdout " + holdout + " --epochs " + opt.epochs() + " --check-scenes " + checkScenes + " --refit-scenes " + refitScenes
                    + " --generated-share " + generatedShare;
            new FineTuner(System.out).run(photos, labels, start, startModels, opt, dir, rep, command);
            return 0;
        }
    }

    @Command(name = "evaluate", description = "Measure the models: on held-out generated scenes (default), or on your own labelled photos "
            + "(--images DIR --labels CSV; the CSV format is in models/README.md).")
    static final class Evaluate implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Option(names = "--models", defaultValue = "committed", paramLabel = "committed|DIR",
                description = "the committed models (default) or a folder written by train")
        String modelsDir;

        @Option(names = "--scenes", defaultValue = "300", description = "held-out mixed scenes (default ${DEFAULT-VALUE})")
        int scenes;

        @Option(names = "--distractor-scenes", defaultValue = "120", description = "held-out distractor-only scenes (default ${DEFAULT-VALUE})")
        int distractorScenes;

        @Option(names = "--images", paramLabel = "DIR", description = "a folder of your own photos")
        Path images;

        @Option(names = "--wallpapers", description = "the held-out real-photo test set: photographs from Debian wallpaper packages that "
                + "no training step reads, labelled by eye (models/DATA.md); fetched on first use into var/cache/wallpapers")
        boolean wallpapers;

        @Option(names = "--labels", paramLabel = "CSV", description = "their labels: image,label,x1,y1,x2,y2 (boxes in 0..1; UTF-8, commas)")
        Path labels;

        @Option(names = "--threshold", defaultValue = "0.5", description = "the detector's threshold for the frame and image level, "
                + "the per-image lines and the overlays: a class is found where a tile scores at least this (default ${DEFAULT-VALUE})")
        double threshold;

        @Option(names = "--report", paramLabel = "DIR", description = "where to write the report (default: var/models/report); the photo "
                + "report's files start with " + PhotoEvaluation.PREFIX + " and its overlay pictures go to " + PhotoEvaluation.OVERLAYS
                + "/, so it never overwrites the generated-scene report")
        Path report;

        @Override
        public Integer call() throws IOException {
            if ((images == null) != (labels == null)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--images and --labels go together");
            }
            if (wallpapers && images != null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--wallpapers is a labelled photo set of its own: give it or --images, not both");
            }
            PrintStream o = System.out;
            if (wallpapers) {
                WallpaperPhotos.TestSet t = WallpaperPhotos.testSet(models.top.workspace().varDir().resolve("cache/wallpapers"), o);
                images = t.images();
                labels = t.labels();
                o.printf("held-out wallpaper photos: %d in %s (labels %s)%n", t.photos(), images, labels);
            }
            Path dir = report != null ? report : models.top.workspace().varDir().resolve("models/report");
            Map<Task, TileClassifier> m = new LinkedHashMap<>();
            for (Task t : Task.values()) {
                m.put(t, "committed".equals(modelsDir) ? TileClassifier.committed(t) : TileClassifier.load(Path.of(modelsDir), t));
            }
            if (images == null) {
                ReportWriter w = new ReportWriter(dir, String.format(Locale.ROOT,
                        "held-out generated scenes (generator v%d): %d mixed (seeds 9·10^9 + 0..%d), %d distractor-only (seeds 9.5·10^9 + 0..%d); models: %s",
                        SceneGenerator.VERSION, scenes, scenes - 1, distractorScenes, distractorScenes - 1, modelsDir));
                o.println(w.title());
                List<Scene> held = ScenePool.heldOut(scenes);
                List<Scene> distract = ScenePool.distractorsOnly(distractorScenes);
                for (Task t : Task.values()) {
                    o.print(w.add(t.id(), TileScores.ofScenes(m.get(t), held), TileScores.ofScenes(m.get(t), distract)));
                    o.println();
                }
                CnnTileDetector det = new CnnTileDetector(m.get(Task.OBJECTS), m.get(Task.SNOW), threshold);
                SceneLevel level = new SceneLevel();
                for (Scene s : held) {
                    level.add(SceneLevel.truth(s), det.detect(s.image(), 0));
                }
                int quiet = 0;
                for (Scene s : distract) {
                    quiet += det.detect(s.image(), 0).isEmpty() ? 1 : 0;
                }
                String text = level.toText("frame level, held-out mixed scenes") + String.format(Locale.ROOT,
                        "frame level, distractor-only scenes: %d of %d frames with nothing reported%n", quiet, distract.size());
                w.note(text);
                o.print(text);
                w.finish();
                o.println("report: " + dir + " (metrics.json, summary.txt, <task>-confusion.csv, <task>-pr.png)");
                return 0;
            }
            List<LabelledPhotos.Photo> photos = LabelledPhotos.read(images, labels); // every bad row, with its line, or nothing evaluated
            new PhotoEvaluation(m.get(Task.OBJECTS), m.get(Task.SNOW), threshold)
                    .run(photos, "your photos: " + photos.size() + " labelled images in " + images + " (" + labels + "); models: " + modelsDir, dir, o);
            return 0;
        }
    }

    @Command(name = "generate", description = "Write labelled generated scenes (PNG + labels.csv in the format evaluate --labels reads), "
            + "or with --clip an H.264 time-lapse of a stall set up and taken away.")
    static final class Generate implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Option(names = "--out", paramLabel = "DIR", description = "where to write (default: var/models/scenes)")
        Path out;

        @Option(names = "--count", defaultValue = "20", description = "scenes (default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--seed", defaultValue = "9800000000", description = "seed of the first scene; the next ones count up "
                + "(default ${DEFAULT-VALUE}, a range no training or held-out set uses)")
        long seed;

        @Option(names = "--distractors-only", description = "scenes with distractors only (people, cars, shadows, stains, markings)")
        boolean distractorsOnly;

        @Option(names = "--clip", description = "write clip.mp4 (H.264) and clip.json instead of scenes")
        boolean clip;

        @Option(names = "--seconds-per-frame", defaultValue = "5", description = "clip: scene seconds between frames (default ${DEFAULT-VALUE})")
        double secondsPerFrame;

        @Option(names = "--stay-minutes", defaultValue = "20", description = "clip: how long the stall (the scenario's thing) stays (default ${DEFAULT-VALUE})")
        double stayMinutes;

        @Option(names = "--scenario", paramLabel = "stall|bin|water|people|static|snowfall|daylight|water-day", description = "clip: a scripted camera scenario (the last three: light from morning to dusk, issue 13); "
                + "writes <scenario>.mp4 (H.264), <scenario>.json (its truth, frame by frame) and <scenario>.yaml (the camera for "
                + "'cameras import', zones and calibration included, its url the clip)")
        String scenario;

        @Option(names = "--before-minutes", defaultValue = "5", description = "scenario: scene minutes before the thing appears (default ${DEFAULT-VALUE})")
        double beforeMinutes;

        @Option(names = "--after-minutes", defaultValue = "5", description = "scenario: scene minutes after it has gone (default ${DEFAULT-VALUE})")
        double afterMinutes;

        @Option(names = "--size", defaultValue = "320x240", paramLabel = "WxH", description = "scenario: frame size (default ${DEFAULT-VALUE}, "
                + "the size the tile models were trained on)")
        String size;

        @Override
        public Integer call() throws IOException {
            PrintStream o = System.out;
            Path dir = out != null ? out : models.top.workspace().varDir().resolve("models/scenes");
            Files.createDirectories(dir);
            if (seed >= 0 && seed < SceneSets.HELD_OUT_BASE) {
                o.println("note: seeds below 9·10^9 are training seeds (S·10^7 + i): scenes from them may have been trained on");
            }
            if (scenario != null && !clip) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--scenario needs --clip");
            }
            if (clip && scenario != null) {
                return writeScenario(o, dir);
            }
            if (clip) {
                SceneClip c = SceneClip.of(seed, secondsPerFrame, 5, stayMinutes, 5);
                Path file = dir.resolve("clip.mp4");
                long t0 = System.nanoTime();
                var box = c.write(file);
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("file", "clip.mp4");
                meta.put("codec", "H.264 (" + SceneClip.ENCODER + ")");
                meta.put("seed", seed);
                meta.put("frames", c.frames());
                meta.put("fps", SceneClip.FPS);
                meta.put("scene_seconds_per_frame", secondsPerFrame);
                meta.put("stall_from_frame", c.stallFrom());
                meta.put("stall_to_frame", c.stallTo());
                meta.put("stall_box", box == null ? null : box.toArray());
                Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("clip.json").toFile(), meta);
                o.printf(Locale.ROOT, "%s: %d frames H.264 (%s), %.0f scene-seconds a frame; the stall stands from frame %d to %d (%.0f scene-minutes); %,d bytes, %.1f s%n",
                        file, c.frames(), SceneClip.ENCODER, secondsPerFrame, c.stallFrom(), c.stallTo() - 1, stayMinutes, Files.size(file),
                        (System.nanoTime() - t0) / 1e9);
                return 0;
            }
            SceneGenerator g = new SceneGenerator();
            StringBuilder csv = new StringBuilder(String.join(",", LabelledPhotos.HEADER)).append('\n');
            List<Map<String, Object>> meta = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long s = seed + i;
                Scene sc = g.generate(s, distractorsOnly ? SceneRecipe.distractorsOnly(5) : SceneRecipe.mixed(s));
                String name = "scene-" + s + ".png";
                ImageIO.write(sc.image(), "png", dir.resolve(name).toFile());
                ImageIO.write(maskImage(sc), "png", dir.resolve("scene-" + s + "-mask.png").toFile());
                csv.append(labelRows(name, sc));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("image", name);
                m.put("seed", s);
                m.put("setting", sc.setting().name().toLowerCase(Locale.ROOT));
                m.put("light", sc.light().name().toLowerCase(Locale.ROOT));
                m.put("snow", sc.recipe().snow());
                m.put("placed", sc.placed().stream().map(p -> Map.of("class", p.cls().id(), "kind", p.kind(), "box", p.box().toArray())).toList());
                meta.add(m);
            }
            Files.writeString(dir.resolve("labels.csv"), csv);
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("scenes.json").toFile(), meta);
            o.printf(Locale.ROOT, "%d scenes (generator v%d, seeds %d..%d) in %s: scene-<seed>.png, -mask.png, labels.csv, scenes.json%n", count,
                    SceneGenerator.VERSION, seed, seed + count - 1, dir);
            o.printf("measure the models on them: gridwatch models evaluate --images %s --labels %s%n", dir, dir.resolve("labels.csv"));
            return 0;
        }

        /** A day scenario (issue 13: light from morning to dusk): snowfall, daylight (nothing happens), water-day. */
        private int writeDayScenario(PrintStream o, Path dir) throws IOException {
            DayScenario.Kind kind = DayScenario.Kind.of(scenario);
            if (!"320x240".equals(size)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "the day scenarios are 320x240 only");
            }
            double total = beforeMinutes + stayMinutes + afterMinutes;
            int frames = (int) Math.round(total * 60 / secondsPerFrame);
            DayScenario sc;
            try {
                sc = DayScenario.of(kind, seed, frames, secondsPerFrame, beforeMinutes / total,
                        kind == DayScenario.Kind.SNOWFALL ? 1.0 : (beforeMinutes + stayMinutes) / total);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            Path file = dir.resolve(kind.id() + ".mp4").toAbsolutePath();
            long t0 = System.nanoTime();
            List<CameraScenario.Truth.Step> steps = sc.write(file);
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(kind.id() + ".json").toFile(),
                    Map.of("scenario", kind.id(), "seed", seed, "seconds_per_frame", secondsPerFrame, "frames", steps));
            Files.writeString(dir.resolve(kind.id() + ".yaml"), sc.cameraYaml("cam-scenario-" + kind.id(), file.toString()));
            o.printf(Locale.ROOT, "%s: day scenario %s, %d frames 320x240 H.264, light from morning to dusk, %.0f scene-seconds a frame; %s from frame %d "
                            + "to %d; %,d bytes, %.1f s%n", file, kind.id(), frames, secondsPerFrame,
                    kind.target() == null ? "nothing to report (white stone and a white facade all day)" : kind.target().id(), sc.appearFrame(),
                    sc.goneFrame() - 1, Files.size(file), (System.nanoTime() - t0) / 1e9);
            o.printf("truth: %s; the camera: %s (./gridwatch cameras import %s)%n", dir.resolve(kind.id() + ".json"), dir.resolve(kind.id() + ".yaml"),
                    dir.resolve(kind.id() + ".yaml"));
            return 0;
        }

        private int writeScenario(PrintStream o, Path dir) throws IOException {
            if (List.of("snowfall", "daylight", "water-day").contains(scenario)) {
                return writeDayScenario(o, dir);
            }
            CameraScenario.Kind kind;
            int w;
            int h;
            try {
                kind = CameraScenario.Kind.of(scenario);
                String[] wh = size.split("x");
                if (wh.length != 2) {
                    throw new IllegalArgumentException("--size must be WxH, e.g. 320x240, got '" + size + "'");
                }
                w = Integer.parseInt(wh[0]);
                h = Integer.parseInt(wh[1]);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--size must be WxH, e.g. 320x240, got '" + size + "'");
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            CameraScenario sc;
            try {
                sc = CameraScenario.of(kind, seed, secondsPerFrame, beforeMinutes, stayMinutes, afterMinutes).withSize(w, h);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            Path file = dir.resolve(kind.id() + ".mp4").toAbsolutePath();
            long t0 = System.nanoTime();
            CameraScenario.Truth truth = sc.write(file);
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(kind.id() + ".json").toFile(), truth.toMap());
            Files.writeString(dir.resolve(kind.id() + ".yaml"), sc.cameraYaml("cam-scenario-" + kind.id(), file.toString()));
            o.printf(Locale.ROOT, "%s: scenario %s, %d frames %dx%d H.264 (%s), %.0f scene-seconds a frame; %s from frame %d to %d; %,d bytes, %.1f s%n",
                    file, kind.id(), sc.frames(), w, h, SceneClip.ENCODER, secondsPerFrame,
                    kind.target() == null ? (kind == CameraScenario.Kind.STATIC ? CameraScenario.STATIC_MISREAD + ", throughout; people passing"
                            : "groups standing about (nothing to report)") : kind.target().id(),
                    sc.appearFrame(), sc.goneFrame() - 1, Files.size(file), (System.nanoTime() - t0) / 1e9);
            o.printf("truth: %s; the camera: %s (./gridwatch cameras import %s)%n", dir.resolve(kind.id() + ".json"), dir.resolve(kind.id() + ".yaml"),
                    dir.resolve(kind.id() + ".yaml"));
            return 0;
        }
    }

    /** The labels.csv rows of a generated scene: each target's box, the snow's extent, or one {@code none} row. */
    static String labelRows(String name, Scene sc) {
        StringBuilder sb = new StringBuilder();
        for (Scene.Placed p : sc.targets()) {
            double[] b = p.box().toArray();
            sb.append(String.format(Locale.ROOT, "%s,%s,%.4f,%.4f,%.4f,%.4f%n", name, p.cls().id(), b[0], b[1], b[2], b[3]));
        }
        int[] snow = snowExtent(sc);
        if (snow != null) {
            sb.append(String.format(Locale.ROOT, "%s,snow,%.4f,%.4f,%.4f,%.4f%n", name, snow[0] / (double) sc.width(), snow[1] / (double) sc.height(),
                    snow[2] / (double) sc.width(), snow[3] / (double) sc.height()));
        }
        if (sb.isEmpty()) {
            sb.append(name).append(",none,,,,\n");
        }
        return sb.toString();
    }

    private static int[] snowExtent(Scene sc) {
        int x1 = Integer.MAX_VALUE;
        int y1 = Integer.MAX_VALUE;
        int x2 = -1;
        int y2 = -1;
        for (int y = 0; y < sc.height(); y++) {
            for (int x = 0; x < sc.width(); x++) {
                if (sc.classAt(x, y) == SceneClass.SNOW) {
                    x1 = Math.min(x1, x);
                    y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x + 1);
                    y2 = Math.max(y2, y + 1);
                }
            }
        }
        return x2 < 0 ? null : new int[] {x1, y1, x2, y2};
    }

    static BufferedImage maskImage(Scene sc) {
        int[] colour = {0x202020, 0xE04040, 0x40C040, 0x4080FF, 0xFFFFFF};
        BufferedImage m = new BufferedImage(sc.width(), sc.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < sc.height(); y++) {
            for (int x = 0; x < sc.width(); x++) {
                m.setRGB(x, y, colour[sc.classAt(x, y).ordinal()]);
            }
        }
        return m;
    }

    static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
