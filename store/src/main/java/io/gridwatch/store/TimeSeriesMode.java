package io.gridwatch.store;

/**
 * How the time-series tables ({@code reading}, {@code detection}, {@code alert}) are stored. Their
 * columns and keys are the same in both modes, so queries (with {@code date_bin} rather than
 * {@code time_bucket}) run unchanged on either.
 */
public enum TimeSeriesMode {
    /** TimescaleDB hypertables: the extension was installed on the server when the schema was created. */
    TIMESCALE,
    /** Plain PostgreSQL tables range-partitioned by UTC calendar month, with a DEFAULT partition. */
    PARTITIONED
}
