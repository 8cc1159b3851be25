package io.gridwatch.ingest.video;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one camera: opens its stream with FFmpeg, samples it slowly (key frames only where the
 * stream has them, else one frame every {@link StreamSettings#sampleInterval()}), drops samples
 * the {@link ChangeGate} finds unchanged inside the zones, and hands the rest as downscaled JPEGs
 * to {@code sink}. A stream that fails, ends or goes silent is reopened with exponential backoff;
 * each camera has its own thread, so one bad stream never holds up another.
 *
 * <p>{@code sink} runs on the camera's thread and should not block for long: while it runs the
 * stream is not read.
 */
public final class CameraStream implements AutoCloseable {

    /** The window over which {@link CameraHealth} frame rates are measured. */
    public static final Duration RATE_WINDOW = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(CameraStream.class);

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR); // FFmpeg's own chatter stays out of our logs; failures come back as exceptions
    }

    private final String cameraId;
    private final StreamSource source;
    private final StreamSettings settings;
    private final Consumer<SampledFrame> sink;
    private final ChangeGate gate;
    private final Thread thread;

    private volatile boolean stopped;
    private volatile CameraHealth.State state = CameraHealth.State.CONNECTING;
    private volatile boolean keyFramesOnly;
    /** {@code settings.rtspTransport()} until the server refuses it: then UDP (see {@link #read()}). */
    private String rtspTransport;
    private boolean opened; // the current connection got as far as a video stream
    private volatile long lastFrameAt;
    private volatile String lastError;
    private long framesIn;
    private long framesOut;
    private long reconnects;
    private long errors;
    private final ArrayDeque<Long> inTimes = new ArrayDeque<>();
    private final ArrayDeque<Long> outTimes = new ArrayDeque<>();

    private long sequence;
    private long lastSampleAt = Long.MIN_VALUE;

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    // thread CPU by stage: written by the camera's thread only
    private volatile long readNs;
    private volatile long convertNs;
    private volatile long gateNs;
    private volatile long jpegNs;
    private volatile long judged;
    private volatile long converted;
    private volatile long encoded;

    /**
     * CPU this camera's thread spent so far, by stage (thread CPU ns): reading and decoding the frames it decoded; converting
     * to colour and scaling; the change gate; JPEG encoding; and how many frames the gate judged, how many were converted to
     * colour (only those it let through, where the decoder gives 8-bit luma) and how many encoded.
     */
    public record Costs(long readNs, long convertNs, long gateNs, long jpegNs, long judged, long converted, long encoded) {
    }

    public Costs costs() {
        return new Costs(readNs, convertNs, gateNs, jpegNs, judged, converted, encoded);
    }

    /**
     * @param url   the camera's url (CONTRACTS §2); a malformed one is refused here with the reason
     * @param zones the zone polygons, [x, y] in 0..1; empty for the whole picture
     */
    public CameraStream(String cameraId, String url, List<double[][]> zones, StreamSettings settings, Consumer<SampledFrame> sink) {
        this.cameraId = Objects.requireNonNull(cameraId, "cameraId");
        try {
            this.source = StreamSource.parse(url);
            this.gate = new ChangeGate(ZoneMask.of(zones, settings.maskWidth(), settings.maskHeight()), settings.changeThreshold(),
                    settings.heartbeat());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("camera " + cameraId + ": " + e.getMessage(), e);
        }
        this.settings = settings;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.keyFramesOnly = settings.keyFramesOnly();
        this.rtspTransport = settings.rtspTransport();
        this.thread = new Thread(this::run, "camera-" + cameraId);
        this.thread.setDaemon(true);
    }

    public String cameraId() {
        return cameraId;
    }

    public StreamSource source() {
        return source;
    }

    /** Starts reading on the camera's own thread. */
    public CameraStream start() {
        thread.start();
        return this;
    }

    /** A snapshot of the stream's health. */
    public synchronized CameraHealth health() {
        long now = System.currentTimeMillis();
        prune(inTimes, now);
        prune(outTimes, now);
        double window = RATE_WINDOW.toMillis() / 1000.0;
        return new CameraHealth(cameraId, state, inTimes.size() / window, outTimes.size() / window, framesIn, framesOut, lastFrameAt,
                reconnects, errors, lastError, keyFramesOnly);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            // a blocked network read returns within the I/O timeout
            thread.join(settings.stallTimeout().toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = CameraHealth.State.STOPPED;
    }

    private void run() {
        long backoff = settings.backoffMin().toMillis();
        boolean first = true;
        while (!stopped) {
            state = CameraHealth.State.CONNECTING;
            if (!first) {
                synchronized (this) {
                    reconnects++;
                }
            }
            first = false;
            long framesBefore = framesIn;
            boolean keyMode = keyFramesOnly;
            boolean noKeyFrames = false;
            opened = false;
            try {
                read(); // returns only when stopped
                break;
            } catch (Exception | LinkageError e) {
                if (stopped) {
                    break;
                }
                noKeyFrames = e instanceof NoKeyFrames;
                failure(describe(e));
            }
            if (noKeyFrames) {
                keyFramesOnly = false;
                LOG.warn("camera {}: no key frame for {} s while data arrives, sampling every frame at a fixed rate from now on",
                        cameraId, keyFrameTimeout().toSeconds());
            } else if (framesIn > framesBefore) {
                backoff = settings.backoffMin().toMillis(); // it worked for a while: start the backoff over
            } else if (keyMode && opened) {
                // nothing decoded with key frames only: the stream may have none (intra refresh); decode every frame from now on
                keyFramesOnly = false;
                LOG.warn("camera {}: no key frame decoded, sampling every frame at a fixed rate from now on", cameraId);
            }
            state = CameraHealth.State.BACKOFF;
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                if (stopped) {
                    break;
                }
            }
            backoff = Math.min(backoff * 2, settings.backoffMax().toMillis());
        }
        state = CameraHealth.State.STOPPED;
    }

    private synchronized void failure(String what) {
        state = CameraHealth.State.BACKOFF; // before the error shows: health never says ONLINE beside a fresh failure
        errors++;
        lastError = what;
        LOG.warn("camera {} ({}): {}; reconnecting", cameraId, source.location(), what);
    }

    private static final Pattern AV_ERROR = Pattern.compile("error (-\\d+)");

    private String describe(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Matcher code = AV_ERROR.matcher(m);
        if (code.find()) { // JavaCV gives FFmpeg's number only; its words say what happened ("Connection refused")
            try (BytePointer buf = new BytePointer(256)) {
                buf.fill(0);
                if (avutil.av_strerror(Integer.parseInt(code.group(1)), buf, 255) == 0) {
                    byte[] b = new byte[256];
                    buf.get(b);
                    int len = 0;
                    while (len < b.length && b[len] != 0) {
                        len++;
                    }
                    m = new String(b, 0, len, java.nio.charset.StandardCharsets.UTF_8) + " — " + m;
                }
            }
        }
        return "cannot read " + source.kind().name().toLowerCase(java.util.Locale.ROOT) + " stream " + source.location() + ": " + m;
    }

    /** FFmpeg's short name of the stream's video codec ({@code h264}, {@code hevc}, {@code av1} …). */
    private static String codecName(FFmpegFrameGrabber g) {
        return org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name(g.getVideoCodec()).getString();
    }

    /** One connection: open, read until it fails or ends (a file loops), close. */
    private void read() throws Exception {
        long ioTimeoutMicros = settings.stallTimeout().toNanos() / 1000;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(source.location()); JpegEncoder jpeg = new JpegEncoder(settings.maxSide(), settings.jpegQuality());
             RawPictures raw = new RawPictures()) {
            source.options(rtspTransport, ioTimeoutMicros).forEach(g::setOption);
            if (source.format() != null) {
                g.setFormat(source.format());
            }
            boolean keyMode = keyFramesOnly;
            if (keyMode) {
                g.setVideoOption("skip_frame", "nokey"); // the decoder drops the rest before any work: the main saving
                // a key frame is shrunk to at most maxSide and judged at 320 px: deblocking it buys nothing visible, and costs
                // about a fifth of its decoding (bench/run cameras prints both); "fast" lets the decoder skip spec-only checks
                g.setVideoOption("skip_loop_filter", "all");
                g.setVideoOption("flags2", "+fast");
                if (source.kind().live()) { // live key frames are decoded one by one (nextKeyFrame): out when they go in
                    g.setVideoOption("flags", "low_delay");
                }
            }
            g.setVideoOption("threads", "1"); // many cameras share a few cores; one thread each keeps them fair
            // the decoder's pictures as they are: the gate reads their luma plane, and only a frame it lets through is converted to
            // BGR and shrunk to maxSide (RawPictures; the cheapest scaler will do for a 64×36 gate and a 320 px detector)
            g.setImageMode(org.bytedeco.javacv.FrameGrabber.ImageMode.RAW);
            try {
                g.start();
            } catch (FFmpegFrameGrabber.Exception e) {
                String m = describe(e);
                if (source.kind() == StreamSource.Kind.RTSP && rtspTransport.equals("tcp")
                        && (m.contains("400 Bad Request") || m.contains("461"))) {
                    // a server that only sends RTP over UDP (some encoders, relays) refuses the interleaved SETUP
                    rtspTransport = "udp";
                    LOG.warn("camera {}: the RTSP server refused RTP over TCP ({}); trying RTP over UDP", cameraId, m);
                }
                throw e;
            }
            if (!g.hasVideo() || g.getImageWidth() <= 0) {
                throw new IllegalStateException("no decodable video stream (codec '" + codecName(g) + "')");
            }
            int w = g.getImageWidth();
            int h = g.getImageHeight();
            state = CameraHealth.State.ONLINE;
            opened = true;
            double fps = g.getFrameRate() > 0 && g.getFrameRate() < 240 ? g.getFrameRate() : 25;
            long frameMicros = (long) (1_000_000 / fps);
            long intervalMicros = settings.sampleInterval().toNanos() / 1000;
            long paceStart = System.nanoTime();
            long loopBase = 0;
            long lastTs = 0;
            long[] recentCallMs = new long[32]; // a timeout is followed by the decoder's buffered frames, handed out at once
            int calls = 0;
            int videoIndex = firstVideoStream(g);
            long keyWaitFrom = System.nanoTime();
            while (!stopped) {
                long callStart = System.nanoTime();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                Frame f;
                long callMs;
                if (keyMode && source.kind().live()) { // a file ends and loops: it cannot keep a camera waiting
                    f = nextKeyFrame(g, videoIndex, keyWaitFrom);
                    callMs = lastReadMs;
                    keyWaitFrom = System.nanoTime();
                } else {
                    f = g.grabImage();
                    callMs = (System.nanoTime() - callStart) / 1_000_000;
                }
                if (f == null) {
                    if (stopped) {
                        break;
                    }
                    if (source.kind().live()) {
                        // JavaCV reports a read timeout as the end of the stream, after handing out the frames still in
                        // the decoder: tell them apart by how long one of the last reads waited
                        long waitedMs = callMs;
                        for (long ms : recentCallMs) {
                            waitedMs = Math.max(waitedMs, ms);
                        }
                        if (waitedMs >= settings.stallTimeout().toMillis() * 9 / 10) {
                            throw new IllegalStateException("stalled: no data for " + waitedMs + " ms");
                        }
                        throw new IllegalStateException("stream ended (the peer closed it)");
                    }
                    g.setTimestamp(0); // a file camera loops
                    loopBase += lastTs + frameMicros;
                    if (lastTs == 0 && framesIn == 0) {
                        throw new IllegalStateException("no video frame could be decoded (codec '" + codecName(g)
                                + "', " + w + "×" + h + "): the file is empty or this FFmpeg build cannot decode the codec");
                    }
                    lastTs = 0;
                    continue;
                }
                readNs += CPU.getCurrentThreadCpuTime() - cpu0;
                recentCallMs[calls++ % recentCallMs.length] = callMs;
                long ts = Math.max(0, keyMode && source.kind().live() && keyFrameMicros >= 0 ? keyFrameMicros : f.timestamp);
                lastTs = ts;
                // stream time: a new connection may start anywhere (the gate treats time running back as a reason to let a frame through)
                long streamTime = loopBase + ts;
                if (!source.kind().live() && settings.paceFiles()) {
                    long wait = (loopBase + ts) / 1000 - (System.nanoTime() - paceStart) / 1_000_000;
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                }
                counted(true);
                boolean due = lastSampleAt == Long.MIN_VALUE || streamTime < lastSampleAt
                        || streamTime - lastSampleAt >= intervalMicros - frameMicros / 2;
                if (!due) {
                    continue;
                }
                lastSampleAt = streamTime;
                long cpu1 = CPU.getCurrentThreadCpuTime();
                org.bytedeco.ffmpeg.avutil.AVFrame picture = RawPictures.picture(f);
                int[] thumb = RawPictures.lumaThumbnail(picture, settings.maskWidth(), settings.maskHeight());
                Frame colour = null;
                if (thumb == null) { // no 8-bit luma plane (10-bit video…): convert first, gate on the colour picture
                    colour = converted(raw, picture);
                    long cpu = CPU.getCurrentThreadCpuTime();
                    convertNs += cpu - cpu1;
                    cpu1 = cpu;
                    thumb = GreyThumbnail.of(colour, settings.maskWidth(), settings.maskHeight());
                }
                double change = gate.difference(thumb);
                boolean pass = gate.judge(thumb, streamTime).pass();
                long cpu2 = CPU.getCurrentThreadCpuTime();
                gateNs += cpu2 - cpu1;
                judged++;
                if (!pass) {
                    continue;
                }
                // an 8-bit YUV picture goes to FFmpeg's MJPEG encoder as it is (shrunk on the way); others were converted above
                JpegEncoder.Jpeg j = colour == null ? jpeg.encode(picture, jpegWidth(picture), jpegHeight(picture)) : jpeg.encode(colour);
                jpegNs += CPU.getCurrentThreadCpuTime() - cpu2;
                encoded++;
                SampledFrame out = new SampledFrame(cameraId, System.currentTimeMillis(), j.width(), j.height(), f.keyFrame, sequence++, change, j.bytes());
                counted(false);
                sink.accept(out);
            }
            g.stop();
        } finally {
            lastSampleAt = Long.MIN_VALUE;
            lastKeyPacket = null; // freed with its grabber
        }
    }

    /** The picture in BGR, shrunk by FFmpeg's scaler to at most maxSide while converting: a 4K camera costs no 4K buffers in Java. */
    private Frame converted(RawPictures raw, org.bytedeco.ffmpeg.avutil.AVFrame picture) {
        converted++;
        return raw.bgr(picture, jpegWidth(picture), jpegHeight(picture));
    }

    /** The JPEG's size: the picture's, shrunk to at most maxSide on its longest side, even (4:2:0). */
    private int jpegWidth(org.bytedeco.ffmpeg.avutil.AVFrame p) {
        return fit(p.width(), Math.max(p.width(), p.height()));
    }

    private int jpegHeight(org.bytedeco.ffmpeg.avutil.AVFrame p) {
        return fit(p.height(), Math.max(p.width(), p.height()));
    }

    private int fit(int side, int longest) {
        if (longest <= settings.maxSide()) {
            return side;
        }
        return Math.max(2, (int) Math.round(side * (double) settings.maxSide() / longest));
    }

    /** The longest single read of the last {@link #nextKeyFrame} call, in ms: a long one before the end means a timeout. */
    private long lastReadMs;
    /** The grabber's packet, when it holds the key frame last sent to the decoder. */
    private AVPacket lastKeyPacket;

    /**
     * The next key frame, read packet by packet: packets that are not the video stream's key frames are dropped before
     * the decoder, and — what decoding with {@code skip_frame=nokey} alone cannot do, since FFmpeg then reads on inside
     * one call for as long as data comes — a stream whose data keeps coming without a key frame for
     * {@link #keyFrameTimeout()} is given up ({@link NoKeyFrames}), to be read frame by frame from then on.
     *
     * @return null at the end of the stream (or a read timeout), or when the stream is closed
     */
    private Frame nextKeyFrame(FFmpegFrameGrabber g, int videoIndex, long waitFrom) throws Exception {
        long limitNanos = keyFrameTimeout().toNanos();
        lastReadMs = 0;
        if (lastKeyPacket != null) {
            // the key packet handed to the decoder last time is still the grabber's: grabPacket would read over it unfreed
            avcodec.av_packet_unref(lastKeyPacket);
            lastKeyPacket.stream_index(-1);
            lastKeyPacket = null;
        }
        while (!stopped) {
            long readStart = System.nanoTime();
            AVPacket p = g.grabPacket();
            lastReadMs = Math.max(lastReadMs, (System.nanoTime() - readStart) / 1_000_000);
            if (p == null) {
                return null;
            }
            if (p.stream_index() == videoIndex && (p.flags() & avcodec.AV_PKT_FLAG_KEY) != 0) {
                // JavaCV 1.5.7 has no call to decode a packet read by grabPacket: hand it to the grabber's decoder here, then
                // let grabImage take the frame out (a packet left pending makes it receive before it reads on). The frame's
                // time is the packet's: grabImage stamps frames with the time of the last packet it sent itself.
                long pts = p.pts() != avutil.AV_NOPTS_VALUE ? p.pts() : p.dts();
                AVRational tb = g.getFormatContext().streams(videoIndex).time_base();
                keyFrameMicros = pts == avutil.AV_NOPTS_VALUE ? -1 : pts * 1_000_000L * tb.num() / tb.den();
                int sent = avcodec.avcodec_send_packet(decoder(g), p);
                if (sent < 0 && sent != avutil.AVERROR_EAGAIN()) {
                    throw new IllegalStateException("the decoder refused a key frame (error " + sent + ")");
                }
                lastKeyPacket = p;
                long decodeStart = System.nanoTime();
                Frame f = g.grabImage();
                lastReadMs = Math.max(lastReadMs, (System.nanoTime() - decodeStart) / 1_000_000);
                return f;
            }
            avcodec.av_packet_unref(p);
            p.stream_index(-1); // nothing pending: the grabber's next call reads afresh
            if (System.nanoTime() - waitFrom > limitNanos) {
                throw new NoKeyFrames("data arrives but no key frame came for " + keyFrameTimeout().toSeconds() + " s");
            }
        }
        return null;
    }

    /**
     * How long a stream that sends data may go without a key frame before it is read frame by frame: twice the stall
     * timeout, room for the longest key frame intervals cameras use (smart codecs stretch them to ~10 s).
     */
    Duration keyFrameTimeout() {
        return settings.stallTimeout().multipliedBy(2);
    }

    /** A stream that sends data but no key frames (intra refresh, or a key frame interval longer than the timeout). */
    static final class NoKeyFrames extends IllegalStateException {
        NoKeyFrames(String message) {
            super(message);
        }
    }

    /** Stream time of the key frame {@link #nextKeyFrame} returned, µs; -1 when its packet had none. */
    private long keyFrameMicros;

    private static final java.lang.reflect.Field VIDEO_DECODER;

    static {
        try {
            VIDEO_DECODER = FFmpegFrameGrabber.class.getDeclaredField("video_c");
            VIDEO_DECODER.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("JavaCV's FFmpegFrameGrabber has no field video_c (a JavaCV other than 1.5.7?): " + e);
        }
    }

    private static org.bytedeco.ffmpeg.avcodec.AVCodecContext decoder(FFmpegFrameGrabber g) throws IllegalAccessException {
        return (org.bytedeco.ffmpeg.avcodec.AVCodecContext) VIDEO_DECODER.get(g);
    }

    private static int firstVideoStream(FFmpegFrameGrabber g) {
        AVFormatContext oc = g.getFormatContext();
        for (int i = 0; i < oc.nb_streams(); i++) {
            if (oc.streams(i).codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO) {
                return i; // the one JavaCV decodes: the first video stream
            }
        }
        throw new IllegalStateException("no video stream");
    }

    private synchronized void counted(boolean in) {
        long now = System.currentTimeMillis();
        if (in) {
            framesIn++;
            lastFrameAt = now;
            inTimes.addLast(now);
            prune(inTimes, now);
        } else {
            framesOut++;
            outTimes.addLast(now);
            prune(outTimes, now);
        }
    }

    private static void prune(ArrayDeque<Long> times, long now) {
        long from = now - RATE_WINDOW.toMillis();
        while (!times.isEmpty() && times.peekFirst() < from) {
            times.removeFirst();
        }
    }
}
