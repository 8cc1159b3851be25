package io.gridwatch.ingest.video;

/**
 * A camera stream's health at one moment.
 *
 * @param cameraId     the camera
 * @param state        what the reader is doing
 * @param framesInPerS frames decoded per second over the last {@link CameraStream#RATE_WINDOW}
 * @param framesOutPerS frames let through per second over the same window
 * @param framesIn     frames decoded since start
 * @param framesOut    frames let through since start
 * @param lastFrameAt  epoch ms of the last decoded frame, 0 if none yet
 * @param reconnects   connections opened after the first
 * @param errors       failures since start (open, read, decode, stall)
 * @param lastError    the latest failure in words, null if none
 * @param keyFramesOnly whether the stream is sampled at key frames only (false: fixed-rate sampling of all frames)
 */
public record CameraHealth(String cameraId, State state, double framesInPerS, double framesOutPerS, long framesIn, long framesOut,
                           long lastFrameAt, long reconnects, long errors, String lastError, boolean keyFramesOnly) {

    public enum State {
        /** Opening the stream. */
        CONNECTING,
        /** The stream is open and being read (a silent one leaves this state within the stall timeout). */
        ONLINE,
        /** The stream failed; waiting before the next attempt. */
        BACKOFF,
        /** Closed by its owner. */
        STOPPED,
        /** Its definition cannot be read (a URL that is malformed or names no file here): not opened, not retried until it changes. */
        REFUSED;

        public boolean online() {
            return this == ONLINE;
        }
    }
}
