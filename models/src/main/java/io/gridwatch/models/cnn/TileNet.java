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

/**
 * The one tile CNN: a 5×5 convolution with stride 2, then 3×3 convolutions, each followed by 2×2
 * max pooling (64 → 4 pixels), a small dense layer and a softmax over the task's classes; about
 * 69k parameters, ~3.3 M multiply-adds a tile. Small on purpose: it must run in a few
 * milliseconds on one core, and train from scratch in minutes on two (a first layer at full
 * resolution made DL4J six times slower here).
 * Layers are named so that a saved model can be read layer by layer.
 */
public final class TileNet {

    private TileNet() {
    }

    public static MultiLayerConfiguration config(Task task, long seed, double learningRate) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(learningRate))
                .l2(1e-4)
                .convolutionMode(ConvolutionMode.Same)
                .list()
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).name("pool0").kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(12).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("norm1").activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(24).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("norm2").activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool2").kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv3").nOut(32).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("norm3").activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool3").kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(48).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(task.classes().size())
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(Tiles.SIZE, Tiles.SIZE, 3))
                .build();
    }

    public static MultiLayerNetwork create(Task task, long seed, double learningRate) {
        MultiLayerNetwork net = new MultiLayerNetwork(config(task, seed, learningRate));
        net.init();
        return net;
    }
}
