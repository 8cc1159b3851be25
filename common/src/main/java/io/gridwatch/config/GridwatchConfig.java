package io.gridwatch.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * gridwatch's configuration, parsed once into immutable records. The defaults ship as
 * {@value #DEFAULTS_RESOURCE}; a file given with {@code --config} or {@code GRIDWATCH_CONFIG}
 * overrides any part of them. Unknown keys are an error that names the key.
 */
public record GridwatchConfig(Stack stack, CatalogueConfig catalogue, Grids grids) {

    public static final String DEFAULTS_RESOURCE = "/io/gridwatch/config/gridwatch-defaults.yaml";

    public GridwatchConfig {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(catalogue, "catalogue");
        Objects.requireNonNull(grids, "grids");
    }

    /** The local stack: where its data lives and the addresses of its three services. */
    public record Stack(String varDir, Kafka kafka, Mqtt mqtt, Postgres postgres) {
        public Stack {
            Objects.requireNonNull(varDir, "stack.var_dir");
            Objects.requireNonNull(kafka, "stack.kafka");
            Objects.requireNonNull(mqtt, "stack.mqtt");
            Objects.requireNonNull(postgres, "stack.postgres");
        }
    }

    public record Kafka(String host, int port, int controllerPort) {
        public Kafka {
            requirePort(port, "stack.kafka.port");
            requirePort(controllerPort, "stack.kafka.controller_port");
        }

        public String bootstrapServers() {
            return host + ":" + port;
        }
    }

    public record Mqtt(String host, int port) {
        public Mqtt {
            requirePort(port, "stack.mqtt.port");
        }

        public String uri() {
            return "tcp://" + host + ":" + port;
        }
    }

    public record Postgres(String host, int port, String database, String user) {
        public Postgres {
            requirePort(port, "stack.postgres.port");
            Objects.requireNonNull(database, "stack.postgres.database");
            Objects.requireNonNull(user, "stack.postgres.user");
        }

        public String jdbcUrl() {
            return jdbcUrl(database);
        }

        public String jdbcUrl(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db;
        }
    }

    /** Which edition of the 部件/事件 catalogue the system classifies by. */
    public record CatalogueConfig(Edition edition) {
        public CatalogueConfig {
            Objects.requireNonNull(edition, "catalogue.edition");
        }
    }

    public enum Edition {
        /** CJ/T 214-2007 → GB/T 30428.2 lineage (4-digit codes), with the Dalian extension under major 21. */
        CLASSIC("classic"),
        /** GB/T 47678.5-2026 (5-digit codes). */
        GB47678_2026("gb47678-2026");

        private final String id;

        Edition(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static Edition of(String id) {
            return Arrays.stream(values()).filter(e -> e.id.equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown catalogue edition '" + id
                            + "'; expected one of " + Arrays.stream(values()).map(Edition::id).toList()));
        }
    }

    /**
     * How the unit grids are derived.
     *
     * @param cellSizeM       side of a unit grid in metres (万米单元网格: 100 m)
     * @param sliverMaxM2     pieces cut by a district border smaller than this join a neighbouring grid
     * @param managementAreas areas such as 高新园区 that are made of streets, not county-level divisions
     */
    public record Grids(double cellSizeM, double sliverMaxM2, List<ManagementArea> managementAreas) {
        public Grids {
            if (!(cellSizeM >= 10 && cellSizeM <= 1000)) {
                throw new IllegalArgumentException("grids.cell_size_m must be within 10..1000, got " + cellSizeM);
            }
            if (!(sliverMaxM2 >= 0 && sliverMaxM2 < cellSizeM * cellSizeM)) {
                throw new IllegalArgumentException("grids.sliver_max_m2 must be within 0..cell area, got " + sliverMaxM2);
            }
            managementAreas = List.copyOf(Objects.requireNonNull(managementAreas, "grids.management_areas"));
        }
    }

    /** 管理区 — a management area made of configured streets (9-digit street codes). */
    public record ManagementArea(String name, List<String> streets) implements java.io.Serializable {
        public ManagementArea {
            Objects.requireNonNull(name, "management area name");
            streets = List.copyOf(Objects.requireNonNull(streets, "management area streets"));
            for (String s : streets) {
                if (!s.matches("\\d{9}")) {
                    throw new IllegalArgumentException("management area " + name + ": street code must have 9 digits: " + s);
                }
            }
        }
    }

    private static void requirePort(int port, String key) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(key + " must be a TCP port (1..65535), got " + port);
        }
    }

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    /** The shipped defaults. */
    public static GridwatchConfig defaults() {
        return load(null);
    }

    /**
     * The defaults, overridden by {@code overrides} where given.
     *
     * @throws ConfigException naming the file and the key that is wrong
     */
    public static GridwatchConfig load(Path overrides) {
        JsonNode tree;
        try (InputStream in = GridwatchConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
            }
            tree = YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String origin = "defaults";
        if (overrides != null) {
            origin = overrides.toString();
            try {
                JsonNode user = YAML.readTree(Files.readString(overrides));
                if (user != null && !user.isMissingNode() && !user.isNull()) {
                    if (!user.isObject()) {
                        throw new ConfigException(origin + ": the configuration must be a YAML mapping");
                    }
                    merge((ObjectNode) tree, user);
                }
            } catch (IOException e) {
                throw new ConfigException(origin + ": cannot read configuration: " + e.getMessage(), e);
            }
        }
        try {
            return YAML.treeToValue(tree, GridwatchConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(origin + ": unknown key '" + e.getPropertyName() + "' at "
                    + e.getPathReference() + "; known keys: " + e.getKnownPropertyIds(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(origin + ": invalid configuration: " + rootMessage(e), e);
        }
    }

    private static void merge(ObjectNode base, JsonNode over) {
        Iterator<Map.Entry<String, JsonNode>> fields = over.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = base.get(f.getKey());
            if (existing instanceof ObjectNode eo && f.getValue().isObject()) {
                merge(eo, f.getValue());
            } else {
                base.set(f.getKey(), f.getValue());
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? e.getMessage() : t.getMessage();
    }

    /** A configuration that cannot be used, with a message that says which file and key. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }

        public ConfigException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
