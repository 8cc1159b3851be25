package io.gridwatch.sensor;

/**
 * What a rule looks at in one reading: its event time and its values. A {@link Reading} is one; so is a reading
 * kept in a sensor's replay log (the rules re-judge recent readings in event-time order when a late one arrives).
 */
public interface Measurement {

    /** Time of measurement, epoch ms. */
    long ts();

    /** The value of a metric, or NaN when the reading does not carry it. */
    double value(String metric);
}
