package io.gridwatch.models;

import io.gridwatch.models.cnn.Nd4jRuntime;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.opencv.opencv_objdetect.HOGDescriptor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The native libraries this module stands on load from the linux-x86_64 jars alone (no *-platform
 * artifacts): an exclusion too many in the POM shows here first, not in a detector test.
 */
class NativeStackTest {

    @Test
    void ffmpegHasAnH264EncoderAndOpenCvItsPeopleDetector() {
        // the FFmpeg 5.0 build of JavaCPP 1.5.7 ships OpenH264 (libx264 lives only in the -gpl build)
        assertThat(avcodec.avcodec_find_encoder_by_name("libopenh264")).isNotNull();
        assertThat(HOGDescriptor.getDefaultPeopleDetector().capacity()).isEqualTo(3781); // 64×128 window, 3780 weights + bias
    }

    @Test
    void nd4jRunsAConvolutionOnTheCpuBackendThroughOneDnn() {
        Nd4jRuntime.init();
        var conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray out = net.output(Nd4j.rand(1, 3, 8, 8));
        assertThat(out.sumNumber().doubleValue()).isCloseTo(1.0, within(1e-5));
        assertThat(Nd4j.getExecutioner().getEnvironmentInformation().get("backend")).isEqualTo("CPU");
        // oneDNN, not the ten-times-slower im2col path: the libnd4j build has it and the layer took its helper
        assertThat(org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN()).isTrue();
        assertThat(((org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) net.getLayer(0)).getHelper())
                .isInstanceOf(org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper.class);
    }
}
