package org.nd4j.nativeblas;

/**
 * The class name under which Deeplearning4j 1.0.0-M2.1 looks for libnd4j's environment before it
 * lets a layer use oneDNN ({@code BaseMKLDNNHelper.mklDnnEnabled()} loads
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by name and calls {@code isUseMKLDNN()}). M2.1
 * moved that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed the
 * method {@code isUseONEDNN()}, so the lookup always fails and every convolution falls back to
 * im2col and a matrix product in Java: 10 times slower here. This class answers that lookup with
 * the real environment's answer; nothing else uses it. See {@link io.gridwatch.models.cnn.Nd4jRuntime}.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** Only what {@code BaseMKLDNNHelper} asks of the old class. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
