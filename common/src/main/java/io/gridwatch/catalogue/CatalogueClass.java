package io.gridwatch.catalogue;

import java.util.Objects;

/**
 * One class of the national catalogue: a 部件 (component) or 事件 (event) class.
 *
 * @param kind      component or event
 * @param code      full class code (major + minor digits): 4 digits classic, 5 digits GB/T 47678.5-2026
 * @param name      Chinese name, e.g. 道路积水
 * @param majorCode 2-digit major class code
 * @param majorName Chinese name of the major class, e.g. 突发事件
 */
public record CatalogueClass(Kind kind, String code, String name, String majorCode, String majorName) {

    public CatalogueClass {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(majorCode, "majorCode");
        Objects.requireNonNull(majorName, "majorName");
    }

    /** 部件 or 事件. */
    public enum Kind {
        /** 部件 — city components: manhole covers, bins, lamps … */
        COMPONENT("component", "部件"),
        /** 事件 — events: exposed garbage, road flooding, street vending … */
        EVENT("event", "事件");

        private final String id;
        private final String chinese;

        Kind(String id, String chinese) {
            this.id = id;
            this.chinese = chinese;
        }

        /** As written in JSON and the database: {@code component} or {@code event}. */
        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return id;
        }

        public String chinese() {
            return chinese;
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown catalogue kind '" + id + "'; expected component or event");
        }
    }
}
