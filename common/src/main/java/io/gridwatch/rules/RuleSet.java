package io.gridwatch.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.SensorType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable set of {@link Rule}s, indexed for evaluation: per sensor type, its families, each with
 * its rules from the most to the least specific scope. Build a new set for every change (the rules
 * topic is compacted: {@link #with} a rule, {@link #without} a deleted id).
 *
 * <p>Consistency checks: rule ids are unique; a family has one kind; no two rules of a family share
 * the same type and scope (which of them wins would be a guess).
 */
public final class RuleSet {

    static final String DEFAULTS_RESOURCE = "/io/gridwatch/rules/default-rules.json";
    private static final RuleSet EMPTY = new RuleSet(new LinkedHashMap<>());
    private static final Family[] NO_FAMILIES = new Family[0];
    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private final Map<String, Rule> byId;
    private final EnumMap<SensorType, Family[]> families = new EnumMap<>(SensorType.class);

    private RuleSet(LinkedHashMap<String, Rule> byId) {
        this.byId = Collections.unmodifiableMap(byId);
        Map<SensorType, Map<String, List<Rule>>> grouped = new EnumMap<>(SensorType.class);
        Map<String, Rule.Kind> kinds = new LinkedHashMap<>();
        for (Rule r : byId.values()) {
            Rule.Kind k = kinds.putIfAbsent(r.family(), r.kind());
            if (k != null && k != r.kind()) {
                throw new InvalidRuleException("rule '" + r.ruleId() + "': family '" + r.family() + "' is of kind "
                        + k.id() + ", not " + r.kind().id());
            }
            grouped.computeIfAbsent(r.sensorType(), t -> new LinkedHashMap<>())
                    .computeIfAbsent(r.family(), f -> new ArrayList<>()).add(r);
        }
        grouped.forEach((type, fams) -> {
            List<Family> list = new ArrayList<>();
            fams.forEach((name, rules) -> {
                rules.sort(Comparator.comparingInt((Rule r) -> -r.scope().specificity()).thenComparing(Rule::ruleId));
                for (int i = 1; i < rules.size(); i++) {
                    if (rules.get(i).scope().equals(rules.get(i - 1).scope())) {
                        throw new InvalidRuleException("rules '" + rules.get(i - 1).ruleId() + "' and '"
                                + rules.get(i).ruleId() + "' of family '" + name + "' have the same scope "
                                + rules.get(i).scope());
                    }
                }
                list.add(new Family(name, rules.toArray(new Rule[0])));
            });
            families.put(type, list.toArray(new Family[0]));
        });
    }

    public static RuleSet empty() {
        return EMPTY;
    }

    /** A set of these rules. */
    public static RuleSet of(Collection<Rule> rules) {
        LinkedHashMap<String, Rule> map = new LinkedHashMap<>();
        for (Rule r : rules) {
            if (map.put(r.ruleId(), r) != null) {
                throw new InvalidRuleException("rule_id '" + r.ruleId() + "' appears twice");
            }
        }
        return new RuleSet(map);
    }

    /** The defaults of CONTRACTS.md §1, shipped in {@value #DEFAULTS_RESOURCE}. */
    public static RuleSet defaults() {
        try (InputStream in = RuleSet.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a JSON array of rules, or one rule.
     *
     * @throws InvalidRuleException naming the rule and the field that is wrong
     */
    public static RuleSet parse(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidRuleException("rules are not valid JSON: " + e.getOriginalMessage(), e);
        }
        List<Rule> rules = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                rules.add(toRule(root.get(i), "rules[" + i + "]"));
            }
        } else {
            rules.add(toRule(root, "rule"));
        }
        return of(rules);
    }

    /** Parses one rule (e.g. a record value of {@code gw.rules.v1}). */
    public static Rule parseRule(String json) {
        try {
            return toRule(Json.mapper().readTree(json), "rule");
        } catch (JsonProcessingException e) {
            throw new InvalidRuleException("rule is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Rule toRule(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidRuleException(where + ": a rule must be a JSON object");
        }
        JsonNode id = node.get("rule_id");
        String name = where + (id != null && id.isTextual() ? " '" + id.asText() + "'" : "");
        try {
            checkFields(node, Rule.class, "");
        } catch (InvalidRuleException e) {
            throw new InvalidRuleException(name + ": " + e.getMessage());
        }
        try {
            return Json.mapper().treeToValue(node, Rule.class);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            throw new InvalidRuleException(name + ": unknown field '" + path(e) + "'; known here: " + known, e);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String at = path(e);
            throw new InvalidRuleException(name + ": " + (at.isEmpty() ? "" : "field '" + at + "': ") + cause.getMessage(), e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : null;
            String why = cause != null ? cause.getMessage() : e.getOriginalMessage().lines().findFirst().orElse("");
            throw new InvalidRuleException(name + ": field '" + path(e) + "': " + why, e);
        } catch (JsonProcessingException e) {
            throw new InvalidRuleException(name + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Rejects an unknown field before binding, so that a typo is reported as such and not as the
     * required field it hides (Jackson reports unknown fields of a record only after constructing it).
     */
    private static void checkFields(JsonNode node, Type type, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (node.isArray() && List.class.isAssignableFrom(raw) && type instanceof ParameterizedType p) {
            for (int i = 0; i < node.size(); i++) {
                checkFields(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]");
            }
        } else if (node.isObject() && raw.isRecord()) {
            Map<String, Type> known = new LinkedHashMap<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                known.put(SNAKE_CASE.translate(c.getName()), c.getGenericType());
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                Type t = known.get(field.getKey());
                if (t == null) {
                    throw new InvalidRuleException("unknown field '" + at + "'; known here: " + known.keySet());
                }
                checkFields(field.getValue(), t, at);
            }
        }
    }

    /** The JSON path of a mapping error in the rule's own snake_case names: {@code threshold.raise[0].for_s}. */
    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** This set with {@code rule} added, or replacing the rule of the same id. */
    public RuleSet with(Rule rule) {
        LinkedHashMap<String, Rule> map = new LinkedHashMap<>(byId);
        map.put(rule.ruleId(), rule);
        return new RuleSet(map);
    }

    /** This set without the rule of this id (a null value on the compacted rules topic). */
    public RuleSet without(String ruleId) {
        if (!byId.containsKey(ruleId)) {
            return this;
        }
        LinkedHashMap<String, Rule> map = new LinkedHashMap<>(byId);
        map.remove(ruleId);
        return new RuleSet(map);
    }

    /** Every rule, in the order given. */
    public Collection<Rule> rules() {
        return byId.values();
    }

    public Optional<Rule> rule(String ruleId) {
        return Optional.ofNullable(byId.get(ruleId));
    }

    /** The rules as a JSON array, readable by {@link #parse}. */
    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(new ArrayList<>(byId.values()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The families of a sensor type; the array is shared: never change it. */
    Family[] families(SensorType type) {
        Family[] f = families.get(type);
        return f == null ? NO_FAMILIES : f;
    }

    /**
     * The rule of a family in force for a sensor at this place (the most specific applicable scope),
     * or null when none applies. A disabled rule is returned when it wins: it switches the family off.
     */
    public Rule effective(SensorType type, String family, String sensorId, String gridCode, String districtCode) {
        for (Family f : families(type)) {
            if (f.name.equals(family)) {
                return f.select(sensorId, gridCode, districtCode);
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuleSet s && s.byId.equals(byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return "RuleSet" + byId.keySet();
    }

    /** The rules of one family for one sensor type, the most specific scope first. */
    record Family(String name, Rule[] rules) {
        Rule select(String sensorId, String gridCode, String districtCode) {
            for (Rule r : rules) {
                if (r.scope().applies(sensorId, gridCode, districtCode)) {
                    return r;
                }
            }
            return null;
        }
    }

    /** A rule, or a set of rules, that cannot be used; the message names the rule and the field. */
    public static final class InvalidRuleException extends IllegalArgumentException {
        public InvalidRuleException(String message) {
            super(message);
        }

        public InvalidRuleException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
