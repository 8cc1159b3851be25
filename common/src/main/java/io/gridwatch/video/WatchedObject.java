package io.gridwatch.video;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a camera zone is watched for: the objects the tile models name (models' {@code SceneClass} without
 * {@code none}). The ordinal is the index of an object's score in {@link TileFrame#scores()}.
 */
public enum WatchedObject {
    /** 摊位 — a street stall: umbrella, canopy, table, cart, goods laid out. */
    STALL,
    /** 垃圾 — a garbage pile, or a bin overflowing. */
    GARBAGE,
    /** 积水 — standing water. */
    WATER,
    /** 积雪 — lying snow. */
    SNOW;

    /** As written in rules and on the wire: {@code stall}, {@code garbage} … */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }

    @JsonCreator
    public static WatchedObject of(String id) {
        for (WatchedObject o : values()) {
            if (o.id().equals(id)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown object '" + id + "'; known: " + ids());
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(WatchedObject::id).toList();
    }
}
