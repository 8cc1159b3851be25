package io.gridwatch.video;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The camera dwell rules in force: the shipped defaults with the analysts' dwell rules of {@code gw.rules.v1} laid
 * over them by rule id (a null record deletes, its default applies again). The video job and {@code gridwatch rules}
 * share this one definition. Immutable: {@link #apply} returns a new value.
 *
 * <p>Consistency: a family watches one object; no two rules of a family have the same scope (which one wins would
 * be a guess). A record that breaks either, does not parse, or is keyed apart from its {@code rule_id} is ignored with
 * its reason, and the rule in force before stays.
 */
public final class DwellRules {

    static final String DEFAULTS_RESOURCE = "/io/gridwatch/video/default-dwell-rules.json";
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private final List<DwellRule> shipped;
    private final Map<String, DwellRule> analysts;
    private final Map<String, DwellRule> byId;

    private DwellRules(List<DwellRule> shipped, LinkedHashMap<String, DwellRule> analysts) {
        this.shipped = shipped;
        this.analysts = Collections.unmodifiableMap(analysts);
        LinkedHashMap<String, DwellRule> all = new LinkedHashMap<>();
        shipped.forEach(r -> all.put(r.ruleId(), r));
        all.putAll(analysts);
        this.byId = Collections.unmodifiableMap(all);
        check(all.values());
    }

    /** What a record of the rules topic did to the dwell rules. */
    public enum Outcome { APPLIED, DELETED, IGNORED }

    /** @param reason why an ignored record was ignored; null otherwise */
    public record Applied(DwellRules rules, Outcome outcome, String reason) {
    }

    /** The shipped defaults ({@value #DEFAULTS_RESOURCE}), no analyst rule yet. */
    public static DwellRules defaults() {
        try (InputStream in = DwellRules.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
            }
            return new DwellRules(parseAll(new String(in.readAllBytes(), StandardCharsets.UTF_8)), new LinkedHashMap<>());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code shipped} as defaults, no analyst rule yet (tests, backtests of a candidate set). */
    public static DwellRules of(Collection<DwellRule> shipped) {
        return new DwellRules(List.copyOf(shipped), new LinkedHashMap<>());
    }

    /** The defaults with the records (rule id → JSON or null) applied in order; records of sensor rules are skipped. */
    public static DwellRules replay(DwellRules start, Iterable<? extends Map.Entry<String, String>> records) {
        DwellRules r = start;
        for (Map.Entry<String, String> e : records) {
            if (e.getValue() == null || isDwell(e.getValue())) {
                r = r.apply(e.getKey(), e.getValue()).rules();
            }
        }
        return r;
    }

    /**
     * Whether a record value of {@code gw.rules.v1} is a dwell rule ({@code "kind": "dwell"}), so that the sensor rules
     * and the dwell rules each take only their own. Unparseable JSON is not.
     */
    public static boolean isDwell(String json) {
        if (json == null) {
            return false;
        }
        try {
            JsonNode n = Json.mapper().readTree(json);
            return n != null && n.isObject() && DwellRule.KIND.equals(n.path("kind").asText(null));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * Applies one record of the rules topic.
     *
     * @param json the dwell rule's JSON; null deletes the analyst's rule of this id (an id that is not a dwell rule
     *             changes nothing)
     */
    public Applied apply(String ruleId, String json) {
        Objects.requireNonNull(ruleId, "ruleId");
        LinkedHashMap<String, DwellRule> next = new LinkedHashMap<>(analysts);
        if (json == null) {
            next.remove(ruleId);
            try {
                return new Applied(new DwellRules(shipped, next), Outcome.DELETED, null);
            } catch (IllegalArgumentException e) { // cannot happen for consistent defaults; keep the set as it was
                return new Applied(this, Outcome.IGNORED, e.getMessage());
            }
        }
        try {
            DwellRule rule = parse(json);
            if (!rule.ruleId().equals(ruleId)) {
                throw new IllegalArgumentException("the record is keyed '" + ruleId + "' but its rule_id is '" + rule.ruleId() + "'");
            }
            next.put(ruleId, rule);
            return new Applied(new DwellRules(shipped, next), Outcome.APPLIED, null);
        } catch (IllegalArgumentException e) {
            return new Applied(this, Outcome.IGNORED, e.getMessage());
        }
    }

    /** These rules with {@code added} laid over them (a candidate file), checked together. */
    public DwellRules with(Collection<DwellRule> added) {
        LinkedHashMap<String, DwellRule> next = new LinkedHashMap<>(analysts);
        added.forEach(r -> next.put(r.ruleId(), r));
        return new DwellRules(shipped, next);
    }

    /** Every rule in force (defaults, then analysts'), by id. */
    public Map<String, DwellRule> rules() {
        return byId;
    }

    public Map<String, DwellRule> analysts() {
        return analysts;
    }

    public Optional<DwellRule> rule(String ruleId) {
        return Optional.ofNullable(byId.get(ruleId));
    }

    public boolean isShipped(String ruleId) {
        return shipped.stream().anyMatch(r -> r.ruleId().equals(ruleId));
    }

    /**
     * The rules that judge a zone: per family, the most specific rule whose scope applies, if it is enabled and runs at
     * {@code ts}.
     */
    public List<DwellRule> effective(String cameraId, String zone, ZonePurpose purpose, long ts) {
        Map<String, DwellRule> best = new LinkedHashMap<>();
        for (DwellRule r : byId.values()) {
            if (r.scope().applies(cameraId, zone, purpose)) {
                best.merge(r.family(), r, (a, b) -> b.scope().specificity() > a.scope().specificity() ? b : a);
            }
        }
        List<DwellRule> out = new ArrayList<>();
        for (DwellRule r : best.values()) {
            if (r.isEnabled() && r.runsAt(ts)) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(DwellRule::object));
        return out;
    }

    /** One dwell rule from its JSON. @throws IllegalArgumentException naming the rule and the key that is wrong */
    public static DwellRule parse(String json) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("dwell rule is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return toRule(node, "dwell rule");
    }

    /** A JSON array of dwell rules, or one. */
    public static List<DwellRule> parseAll(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("dwell rules are not valid JSON: " + e.getOriginalMessage(), e);
        }
        List<DwellRule> out = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                out.add(toRule(root.get(i), "rules[" + i + "]"));
            }
        } else {
            out.add(toRule(root, "dwell rule"));
        }
        return out;
    }

    private static DwellRule toRule(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + ": a rule must be a JSON object");
        }
        String name = where + (node.path("rule_id").isTextual() ? " '" + node.path("rule_id").asText() + "'" : "");
        unknownKeys(node, DwellRule.class, "", name);
        if (node.path("scope").isObject()) {
            unknownKeys(node.get("scope"), DwellRule.Scope.class, "scope.", name);
        }
        try {
            return Json.mapper().treeToValue(node, DwellRule.class);
        } catch (JsonMappingException e) {
            Throwable c = e.getCause();
            String why = c instanceof IllegalArgumentException || c instanceof NullPointerException ? c.getMessage()
                    : e.getOriginalMessage().lines().findFirst().orElse("");
            String at = e.getPath().stream().map(JsonMappingException.Reference::getFieldName).filter(Objects::nonNull)
                    .reduce((a, b) -> a + "." + b).orElse("");
            throw new IllegalArgumentException(name + ": " + (at.isEmpty() ? "" : "field '" + at + "': ") + why, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(name + ": " + e.getOriginalMessage(), e);
        }
    }

    private static void unknownKeys(JsonNode node, Class<?> record, String prefix, String name) {
        Set<String> known = new LinkedHashSet<>();
        for (RecordComponent c : record.getRecordComponents()) {
            known.add(SNAKE.translate(c.getName()));
        }
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                unknown.add(prefix + f);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(name + ": unknown key" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + "; known here: " + known);
        }
    }

    private static void check(Collection<DwellRule> rules) {
        Map<String, WatchedObject> objects = new LinkedHashMap<>();
        Map<String, String> scopes = new LinkedHashMap<>();
        for (DwellRule r : rules) {
            WatchedObject o = objects.putIfAbsent(r.family(), r.object());
            if (o != null && o != r.object()) {
                throw new IllegalArgumentException("rule '" + r.ruleId() + "': family '" + r.family() + "' watches " + o
                        + ", not " + r.object());
            }
            String other = scopes.putIfAbsent(r.family() + "|" + r.scope(), r.ruleId());
            if (other != null) {
                throw new IllegalArgumentException("rules '" + other + "' and '" + r.ruleId() + "' of family '" + r.family()
                        + "' have the same scope " + r.scope());
            }
        }
    }

    /** The rules as a JSON array (defaults, then analysts'). */
    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(new ArrayList<>(byId.values()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "DwellRules" + byId.keySet();
    }
}
