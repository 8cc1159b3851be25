package io.gridwatch.catalogue;

import io.gridwatch.catalogue.CatalogueClass.Kind;
import io.gridwatch.config.GridwatchConfig.Edition;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The 部件/事件 catalogue (管理部件和管理事件分类): every class a case can be filed under,
 * loaded from data files, never compiled in, because the national standard changes
 * (GB/T 47678.5-2026 replaced GB/T 30428.2-2013 on 2026-07-01).
 */
public final class Catalogue {

    static final String RESOURCES = "/io/gridwatch/catalogue/";
    static final List<String> HEADER = List.of("major_code", "major_name", "minor_code", "minor_name");

    private final Edition edition;
    private final Map<Kind, Map<String, CatalogueClass>> classes;

    private Catalogue(Edition edition, Map<Kind, Map<String, CatalogueClass>> classes) {
        this.edition = edition;
        this.classes = classes;
    }

    /** The catalogue of an edition, from the files shipped with gridwatch. */
    public static Catalogue load(Edition edition) {
        Builder b = new Builder(edition);
        switch (edition) {
            case CLASSIC -> {
                b.add(Kind.COMPONENT, "components.csv", 4);
                b.add(Kind.EVENT, "events.csv", 4);
                // 扩展事件: Dalian's local classes 城市防台防汛 and 冬季除雪 under major 21
                b.add(Kind.EVENT, "dalian_extension_events.csv", 4);
            }
            case GB47678_2026 -> {
                b.add(Kind.COMPONENT, "components_gb47678_5_2026.csv", 5);
                b.add(Kind.EVENT, "events_gb47678_5_2026.csv", 5);
            }
        }
        return b.build();
    }

    /**
     * Reads one catalogue CSV: {@code #} comment lines, then the header
     * {@code major_code,major_name,minor_code,minor_name}, where minor_code is the full class code.
     *
     * @param codeLength digits of a full class code (4 classic, 5 GB/T 47678.5-2026)
     * @throws IllegalArgumentException naming the file, the line and what is wrong
     */
    public static List<CatalogueClass> parse(Kind kind, String origin, Reader csv, int codeLength) {
        List<CatalogueClass> out = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setCommentMarker('#').setHeader().setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true).get();
        try {
            var parser = format.parse(csv);
            if (!parser.getHeaderNames().equals(HEADER)) {
                throw new IllegalArgumentException(origin + ": the header must be " + String.join(",", HEADER)
                        + ", found " + String.join(",", parser.getHeaderNames()));
            }
            for (CSVRecord r : parser) {
                String where = origin + " line " + parser.getCurrentLineNumber();
                if (!r.isConsistent()) {
                    throw new IllegalArgumentException(where + ": expected 4 fields, found " + r.size());
                }
                String major = r.get("major_code");
                String code = r.get("minor_code");
                if (!major.matches("\\d{2}")) {
                    throw new IllegalArgumentException(where + ": major_code must be 2 digits, found '" + major + "'");
                }
                if (!code.matches("\\d{" + codeLength + "}")) {
                    throw new IllegalArgumentException(where + ": minor_code must be the full " + codeLength
                            + "-digit class code, found '" + code + "'");
                }
                if (!code.startsWith(major)) {
                    throw new IllegalArgumentException(where + ": class " + code + " does not start with its major code " + major);
                }
                if (r.get("minor_name").isBlank() || r.get("major_name").isBlank()) {
                    throw new IllegalArgumentException(where + ": names must not be empty");
                }
                out.add(new CatalogueClass(kind, code, r.get("minor_name"), major, r.get("major_name")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(origin + ": cannot read", e);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(origin + ": not a valid catalogue CSV: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(origin + ": no classes");
        }
        return out;
    }

    public Edition edition() {
        return edition;
    }

    public Optional<CatalogueClass> find(Kind kind, String code) {
        return Optional.ofNullable(classes.get(kind).get(code));
    }

    /** The class, or an error that says the code is unknown in this edition. */
    public CatalogueClass require(Kind kind, String code) {
        return find(kind, code).orElseThrow(() -> new IllegalArgumentException("unknown " + kind.id() + " (" + kind.chinese()
                + ") code '" + code + "' in the " + edition.id() + " catalogue"));
    }

    public boolean isValid(Kind kind, String code) {
        return classes.get(kind).containsKey(code);
    }

    /** All classes of a kind, in code order. */
    public List<CatalogueClass> classes(Kind kind) {
        return List.copyOf(classes.get(kind).values());
    }

    public int size() {
        return classes.values().stream().mapToInt(Map::size).sum();
    }

    private static final class Builder {
        private final Edition edition;
        private final Map<Kind, Map<String, CatalogueClass>> classes = new LinkedHashMap<>();

        Builder(Edition edition) {
            this.edition = edition;
            for (Kind k : Kind.values()) {
                classes.put(k, new java.util.TreeMap<>());
            }
        }

        void add(Kind kind, String file, int codeLength) {
            String resource = RESOURCES + file;
            try (InputStream in = Catalogue.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing catalogue resource " + resource);
                }
                for (CatalogueClass c : parse(kind, file, new InputStreamReader(in, StandardCharsets.UTF_8), codeLength)) {
                    if (classes.get(kind).put(c.code(), c) != null) {
                        throw new IllegalArgumentException(file + ": duplicate " + kind.id() + " code " + c.code());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(resource, e);
            }
        }

        Catalogue build() {
            Map<Kind, Map<String, CatalogueClass>> frozen = new LinkedHashMap<>();
            classes.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
            return new Catalogue(edition, Collections.unmodifiableMap(frozen));
        }
    }
}
