-- Per-camera health as the camera ingest workers see it (issue 12): each worker upserts a row for every camera it
-- runs every few seconds (CameraHealthStore), so that `gridwatch cameras status` and `gridwatch status` can show it
-- without talking to the workers. A row whose updated_at is old belongs to a worker that died or lost the camera:
-- readers mark it stale. A camera taken over by another worker gets its row overwritten by the new one.
CREATE TABLE camera_health (
    camera_id         text PRIMARY KEY CHECK (camera_id <> ''),
    worker            text NOT NULL,
    state             text NOT NULL,
    online            boolean NOT NULL,
    frames_in_per_s   double precision NOT NULL,
    frames_out_per_s  double precision NOT NULL,
    frames_in         bigint NOT NULL,
    frames_out        bigint NOT NULL,
    last_frame_at     timestamptz,
    reconnects        bigint NOT NULL,
    errors            bigint NOT NULL,
    last_error        text,
    key_frames_only   boolean NOT NULL,
    updated_at        timestamptz NOT NULL
);
COMMENT ON TABLE camera_health IS
    'Health of each camera stream (监控摄像头) as last reported by the ingest worker running it; updated_at old = stale (worker gone).';
COMMENT ON COLUMN camera_health.state IS 'CONNECTING, ONLINE, BACKOFF, STOPPED, or REFUSED (the definition cannot be read: bad URL; not retried until it changes).';
