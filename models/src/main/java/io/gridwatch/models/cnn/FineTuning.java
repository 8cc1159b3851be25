package io.gridwatch.models.cnn;

import java.util.List;
import java.util.Map;

/**
 * What a fine-tuned model learnt from, in its metadata ({@link ModelMetadata#fineTuning()}): enough to say which photos
 * it saw and which it never saw (the held-out ones its comparison was measured on), and to do it again.
 *
 * @param startModel          the model it started from: {@code committed} or the folder it was read from
 * @param labelsFile          the labels CSV as given on the command line
 * @param labelsSha256        its SHA-256, so that a changed labels file shows
 * @param seed                everything random: the split, the tile sampling, the batch order, the generated scenes mixed in
 * @param holdout             the share of each stratum's images held out
 * @param images              every labelled image with its hash, its classes and its split ({@code train} or {@code held-out})
 * @param photoTiles          per class, the photo tiles trained on (all epochs; each epoch draws its own offsets and crops)
 * @param generatedTiles      per class, the generated-scene tiles mixed in (all epochs)
 * @param generatedSceneSeeds the training scenes those came from ({@code Trainer}'s seeds of {@code seed})
 * @param frozen              the layers left as they were (their weights and batch statistics)
 * @param decision            what became of the prior correction, the context stage and the decision factors
 */
public record FineTuning(String startModel, String labelsFile, String labelsSha256, long seed, double holdout, int epochs,
                         double learningRate, int batchSize, double generatedShare, List<String> frozen, int trainImages, int heldOutImages,
                         List<Image> images, Map<String, Integer> photoTiles, Map<String, Integer> generatedTiles, String generatedSceneSeeds,
                         String decision, double seconds) {

    /** One labelled image: its name as the labels file gives it, the SHA-256 of its file, its classes and its split. */
    public record Image(String name, String sha256, List<String> labels, String split) {
    }

    public static final String TRAIN = "train";
    public static final String HELD_OUT = "held-out";
}
