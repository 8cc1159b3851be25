package io.gridwatch.models.cnn;

import io.gridwatch.json.Json;
import io.gridwatch.models.eval.Calibration;
import io.gridwatch.models.tiles.TileBatches;
import io.gridwatch.models.tiles.Tiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A trained tile model: the net, its normaliser (fitted on training tiles, stored in the same
 * zip) and its metadata. Decides a frame's grid tiles in three steps: the net's class
 * probabilities for each 64×64 tile alone, times the prior correction ({@link #tileScores});
 * the neighbourhood stage ({@link ContextStage}) over the frame's grid of those; the calibrated
 * decision factors ({@link #decide}, {@link #predictFrame}).
 * Not thread-safe: give each thread its own (they are small).
 */
public final class TileClassifier {

    static {
        Nd4jRuntime.init(); // oneDNN, before ND4J loads
    }

    /** Where the committed models live on the classpath: {@code <task>.zip} and {@code <task>.json}. */
    public static final String RESOURCE_DIR = "/io/gridwatch/models/cnn/";

    private final Task task;
    private final MultiLayerNetwork net;
    private final NormalizerStandardize normalizer;
    private final ModelMetadata metadata;
    private final double[] prior;
    private final List<ContextStage> context;
    private final double[] factors;

    /** The model as its metadata describes it: prior correction, context stage and decision factors where it has them. */
    public TileClassifier(Task task, MultiLayerNetwork net, NormalizerStandardize normalizer, ModelMetadata metadata) {
        this(task, net, normalizer, metadata, metadata == null ? null : metadata.priorCorrection(), metadata == null ? null : metadata.context(),
                metadata == null || metadata.calibration() == null ? null : metadata.calibration().factors());
    }

    /**
     * @param prior   per-class factors on the net's probabilities (the prior correction), or null
     * @param context the rounds of the neighbourhood stage, each on the previous one's output; null or empty: the factors
     *                then apply to the prior-corrected probabilities
     * @param factors the calibrated decision factors on the last round's probabilities, or null
     */
    TileClassifier(Task task, MultiLayerNetwork net, NormalizerStandardize normalizer, ModelMetadata metadata, double[] prior,
                   List<ContextStage> context, double[] factors) {
        this.task = task;
        this.net = net;
        this.normalizer = normalizer;
        this.metadata = metadata;
        this.prior = prior == null ? null : prior.clone();
        this.context = context == null ? List.of() : List.copyOf(context);
        this.factors = factors == null ? null : factors.clone();
        int k = task.classes().size();
        if ((prior != null && prior.length != k) || (factors != null && factors.length != k)
                || (context != null && context.stream().anyMatch(c -> c.weights().length != k))) {
            throw new IllegalArgumentException("prior correction, context stage and factors must each have the task's " + k + " classes");
        }
    }

    public Task task() {
        return task;
    }

    public MultiLayerNetwork net() {
        return net;
    }

    public NormalizerStandardize normalizer() {
        return normalizer;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** Whether the model has a neighbourhood stage (models made before it have not). */
    public boolean hasContextStage() {
        return !context.isEmpty();
    }

    /**
     * Each tile alone: class probabilities, one row a tile (CHW RGB bytes), columns in {@link Task#classes()} order,
     * after the prior correction, before the context stage and the decision factors.
     */
    public float[][] tileScores(List<byte[]> tiles) {
        float[][] out = new float[tiles.size()][];
        int batch = 128;
        for (int from = 0; from < tiles.size(); from += batch) {
            List<byte[]> part = tiles.subList(from, Math.min(tiles.size(), from + batch));
            INDArray x = TileBatches.features(part);
            normalizer.transform(x);
            INDArray p = net.output(x, false);
            for (int i = 0; i < part.size(); i++) {
                float[] row = p.getRow(i).toFloatVector();
                out[from + i] = prior == null ? row : Calibration.apply(row, prior);
            }
        }
        return out;
    }

    /**
     * The final probabilities of a frame's grid tiles ({@code cols × rows}, row-major, as {@link Tiles#grid}) from their
     * {@link #tileScores}: the rounds of the context stage, then the decision factors; a tile goes to its most probable class.
     */
    public float[][] decide(float[][] tileScores, int cols, int rows) {
        float[][] p = tileScores;
        for (ContextStage round : context) {
            p = round.apply(p, cols, rows);
        }
        if (factors == null) {
            return p;
        }
        float[][] out = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            out[i] = Calibration.apply(p[i], factors);
        }
        return out;
    }

    /** A frame's grid tiles (top-left corners, pixels of the working frame) and their final class probabilities. */
    public record FrameScores(List<int[]> grid, int cols, int rows, float[][] probs) {
    }

    /** Every grid tile of a working frame ({@link Tiles#workFrame}) through all three steps. */
    public FrameScores predictFrame(BufferedImage work) {
        return predictFrame(Tiles.cutFrame(work));
    }

    /** A frame's grid tiles, cut once for several models, through all three steps. */
    public FrameScores predictFrame(Tiles.FrameTiles frame) {
        return new FrameScores(frame.grid(), frame.cols(), frame.rows(), decide(tileScores(frame.tiles()), frame.cols(), frame.rows()));
    }

    /** Writes {@code <dir>/<task>.zip} (net without updater state, plus normaliser) and {@code <task>.json}. */
    public static Path save(Path dir, Task task, MultiLayerNetwork net, NormalizerStandardize normalizer,
                            java.util.function.LongFunction<ModelMetadata> metadataForSize) {
        try {
            Files.createDirectories(dir);
            Path zip = dir.resolve(task.id() + ".zip");
            // ModelSerializer.writeModel(…, normalizer) fails against commons-io 2.20 (it flushes a closed stream), so the
            // normaliser goes in as the same zip entry ModelSerializer itself would write and read back
            Path plain = Files.createTempFile(dir, task.id(), ".tmp");
            ModelSerializer.writeModel(net, plain.toFile(), false);
            ByteArrayOutputStream norm = new ByteArrayOutputStream();
            NormalizerSerializer.getDefault().write(normalizer, norm);
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(plain));
                 ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    ZipEntry copy = new ZipEntry(e.getName());
                    copy.setTime(0); // the same model gives the same bytes
                    out.putNextEntry(copy);
                    in.transferTo(out);
                    out.closeEntry();
                }
                ZipEntry n = new ZipEntry(ModelSerializer.NORMALIZER_BIN);
                n.setTime(0);
                out.putNextEntry(n);
                out.write(norm.toByteArray());
                out.closeEntry();
            } finally {
                Files.deleteIfExists(plain);
            }
            ModelMetadata md = metadataForSize.apply(Files.size(zip));
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(task.id() + ".json").toFile(), md);
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads {@code <task>.zip} and its {@code <task>.json} from a folder. */
    public static TileClassifier load(Path dir, Task task) {
        Path zip = dir.resolve(task.id() + ".zip");
        Path json = dir.resolve(task.id() + ".json");
        if (!Files.isRegularFile(zip) || !Files.isRegularFile(json)) {
            throw new IllegalArgumentException("no model for task " + task.id() + " in " + dir + " (expected " + zip.getFileName()
                    + " and " + json.getFileName() + ")");
        }
        try (InputStream in = Files.newInputStream(zip)) {
            return read(task, in, Json.mapper().readValue(json.toFile(), ModelMetadata.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model committed with this module (on the classpath). */
    public static TileClassifier committed(Task task) {
        String base = RESOURCE_DIR + task.id();
        try (InputStream zip = TileClassifier.class.getResourceAsStream(base + ".zip");
             InputStream json = TileClassifier.class.getResourceAsStream(base + ".json")) {
            if (zip == null || json == null) {
                throw new IllegalStateException("the committed model " + base + ".zip/.json is missing from the classpath");
            }
            return read(task, zip, Json.mapper().readValue(json, ModelMetadata.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TileClassifier read(Task task, InputStream zip, ModelMetadata md) throws IOException {
        Path tmp = Files.createTempFile("gridwatch-model-", ".zip");
        try {
            Files.copy(zip, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Pair<MultiLayerNetwork, org.nd4j.linalg.dataset.api.preprocessor.Normalizer> p =
                    ModelSerializer.restoreMultiLayerNetworkAndNormalizer(tmp.toFile(), false);
            if (!(p.getSecond() instanceof NormalizerStandardize ns)) {
                throw new IOException("model for " + task.id() + " carries no standardising normaliser");
            }
            if (!md.task().equals(task.id())) {
                throw new IOException("metadata is for task " + md.task() + ", not " + task.id());
            }
            List<String> classes = new ArrayList<>(task.classes().stream().map(io.gridwatch.models.SceneClass::id).toList());
            if (!md.classes().equals(classes)) {
                throw new IOException("model classes " + md.classes() + " differ from this code's " + classes);
            }
            if (md.input() != null && (md.input().channels() != 3 || md.input().width() != Tiles.SIZE || md.input().height() != Tiles.SIZE)) {
                throw new IOException("the " + task.id() + " model takes " + md.input().width() + "×" + md.input().height() + "×" + md.input().channels()
                        + " tiles, this code cuts " + Tiles.SIZE + "×" + Tiles.SIZE + "×3: retrain it with gridwatch models train --task " + task.id());
            }
            return new TileClassifier(task, p.getFirst(), ns, md);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
