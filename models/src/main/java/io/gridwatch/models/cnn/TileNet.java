package io.gridwatch.models.cnn;

import io.gridwatch.models.tiles.Tiles;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.HashMap;
import java.util.Map;

/**
 * The tile CNN of every task: the 64×64 RGB tile through a 4×4 stride-2 convolution (16 channels, to
 * 32×32), then 3×3 convolutions of 32 and 48 channels; each convolution with batch normalisation,
 * ReLU and 2×2 max pooling (to 4×4); a dense layer of 64 and a softmax over the task's classes;
 * ~69k parameters. Small on purpose: a tile must take well under 5 ms on one core, and training
 * from scratch must fit minutes on two (without batch normalisation it needed several times the
 * iterations). Layers are named so that a saved model can be read layer by layer.
 */
public final class TileNet {

    static {
        Nd4jRuntime.init(); // oneDNN, before ND4J loads
    }

    private TileNet() {
    }

    /**
     * @param iterations the training iterations planned: the learning rate steps down to 30 % at 60 % of them and to
     *                   10 % at 85 %, which settles the weights in far fewer iterations than a constant rate
     */
    public static MultiLayerConfiguration config(Task task, long seed, double learningRate, int iterations) {
        Map<Integer, Double> steps = new HashMap<>();
        steps.put(0, learningRate);
        steps.put((int) (iterations * 0.6), learningRate * 0.3);
        steps.put((int) (iterations * 0.85), learningRate * 0.1);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(new MapSchedule(ScheduleType.ITERATION, steps)))
                .l2(1e-4)
                .convolutionMode(ConvolutionMode.Same)
                .list();
        // full resolution in: a 4×4 stride-2 first convolution (to 32×32) beat the tile averaged to 32×32 by 0.01–0.03 F1
        // per class on 20,000 scenes, at 10 % more training time (DL4J's per-operation overhead, not arithmetic, sets the pace)
        b.layer(new ConvolutionLayer.Builder(4, 4).name("conv1").stride(2, 2).nOut(16).activation(Activation.IDENTITY).build());
        int[] channels = {32, 48};
        int dense = 64;
        b.layer(new BatchNormalization.Builder().name("norm1").activation(Activation.RELU).build());
        b.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2).build());
        for (int i = 0; i < channels.length; i++) {
            int n = i + 2;
            b.layer(new ConvolutionLayer.Builder(3, 3).name("conv" + n).nOut(channels[i]).activation(Activation.IDENTITY).build());
            b.layer(new BatchNormalization.Builder().name("norm" + n).activation(Activation.RELU).build());
            b.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool" + n).kernelSize(2, 2).stride(2, 2).build());
        }
        return b.layer(new DenseLayer.Builder().name("dense").nOut(dense).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(task.classes().size())
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(Tiles.SIZE, Tiles.SIZE, 3))
                .build();
    }

    public static MultiLayerNetwork create(Task task, long seed, double learningRate, int iterations) {
        MultiLayerNetwork net = new MultiLayerNetwork(config(task, seed, learningRate, iterations));
        net.init();
        return net;
    }
}
