package io.gridwatch.models;

import java.util.Locale;

/**
 * What a pixel, a tile or a box of a camera image shows, as far as the city's problems go.
 * The ordinal is the value of a pixel in a scene's label mask, so the order is part of the
 * generator's format ({@link io.gridwatch.models.scene.SceneGenerator#VERSION}).
 */
public enum SceneClass {
    /** 无 — nothing the city has to act on (includes every distractor: people passing, parked cars, shadows …). */
    NONE("无"),
    /** 占道经营/无照经营游商 — a street stall: umbrella, canopy, table, cart, goods laid out, a vendor. */
    STALL("占道经营"),
    /** 暴露垃圾/垃圾满溢 — a garbage pile, or a bin overflowing. */
    GARBAGE("暴露垃圾"),
    /** 道路积水 — standing water on the road or pavement. */
    WATER("道路积水"),
    /** 道路积雪 — snow lying on the road or pavement. */
    SNOW("道路积雪");

    private final String chinese;

    SceneClass(String chinese) {
        this.chinese = chinese;
    }

    public String chinese() {
        return chinese;
    }

    /** The name used in files, CSVs and detector output: {@code stall}, {@code garbage} … */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SceneClass of(String id) {
        for (SceneClass c : values()) {
            if (c.id().equalsIgnoreCase(id.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown class '" + id + "'; known: none, stall, garbage, water, snow");
    }
}
