package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.backtest.Backtest;
import io.gridwatch.backtest.Comparison;
import io.gridwatch.backtest.ReplayedCase;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseIds;
import io.gridwatch.cases.CaseTracker;
import io.gridwatch.cases.GridNames;
import io.gridwatch.cases.Responsibility;
import io.gridwatch.cases.Severity;
import io.gridwatch.json.Json;
import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.rules.Rule;
import io.gridwatch.rules.RuleCheck;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.rules.RulesInForce;
import io.gridwatch.sensor.Reading;
import io.gridwatch.topics.Topics;
import io.gridwatch.video.DwellReplay;
import io.gridwatch.video.DwellRule;
import io.gridwatch.video.DwellRules;
import io.gridwatch.video.Observation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code gridwatch rules list | push | diff | backtest}: the detection rules in force, and changing them at run
 * time on the compacted topic {@code gw.rules.v1} (CONTRACTS.md §3: keyed by rule id, a null value deletes).
 *
 * <p>The rules in force are {@link RulesInForce}, the definition the sensor rules job ({@code SensorRulesFunction})
 * uses too: the shipped defaults ({@link RuleSet#defaults()}) with the topic's rules laid over them by rule id, a record
 * applied only if the set stays valid and {@link RuleCheck} finds no error in it (otherwise it is ignored and the rule
 * before stays), a deleted id falling back to its default. A file's rules with errors by {@link RuleCheck} are refused
 * by push, diff and backtest; its warnings are printed.
 */
@Command(name = "rules", description = "The detection rules in force, and changing them at run time (gw.rules.v1).",
        subcommands = {RulesCommand.ListRules.class, RulesCommand.Push.class, RulesCommand.Diff.class, RulesCommand.BacktestRules.class})
final class RulesCommand implements Callable<Integer> {

    /** The shipped defaults, parsed once. */
    private static final RuleSet DEFAULTS = RuleSet.defaults();
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(CaseIds.ZONE);

    @ParentCommand
    Gridwatch top;

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    TopicRecords kafka() {
        return new TopicRecords(top.workspace().config().stack().kafka().bootstrapServers());
    }

    RulesInForce inForce(TopicRecords kafka) {
        return readInForce(kafka, top.workspace().catalogue());
    }

    /**
     * Reads a rules file and judges its rules ({@link RuleCheck}): warnings go to stderr, errors refuse the file.
     *
     * @throws RuleSet.InvalidRuleException naming the file and every rule that cannot work, and why
     */
    RuleSet readChecked(Path file) {
        RuleSet rules = readRules(file);
        RuleCheck.Findings f = RuleCheck.check(rules.rules(), top.workspace().catalogue());
        f.warnings().forEach(w -> System.err.println("warning: " + file + ": " + w));
        if (f.hasErrors()) {
            throw new RuleSet.InvalidRuleException(file + ": " + f.errors().size() + " problem" + (f.errors().size() == 1 ? "" : "s")
                    + " that would keep the rules from working, nothing done:\n  " + String.join("\n  ", f.errors()));
        }
        return rules;
    }

    /**
     * The rules in force as the sensor rules job builds them: {@code gw.rules.v1} read from its beginning and replayed, in
     * offset order, through {@link RulesInForce} (the one definition the job uses too).
     */
    static RulesInForce readInForce(TopicRecords kafka, Catalogue catalogue) {
        // camera dwell rules share the topic; the sensor rules job leaves them alone, and so does this
        List<Map.Entry<String, String>> records = ruleRecords(kafka).stream().filter(e -> !DwellRules.isDwell(e.getValue())).toList();
        return RulesInForce.replay(DEFAULTS, catalogue, records);
    }

    /** The camera dwell rules in force, as the video detection job builds them from the same topic. */
    static DwellRules readDwellInForce(TopicRecords kafka) {
        return DwellRules.replay(DwellRules.defaults(), ruleRecords(kafka));
    }

    private static List<Map.Entry<String, String>> ruleRecords(TopicRecords kafka) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        kafka.readToEnd(Topics.RULES.name(), r -> {
            if (r.key() != null) {
                records.add(new java.util.AbstractMap.SimpleImmutableEntry<>(r.key(), r.value()));
            }
        });
        return records;
    }

    /** Where a dwell rule in force comes from (as {@link RulesInForce.Origin} for sensor rules). */
    static String dwellOrigin(DwellRules rules, String id) {
        return !rules.analysts().containsKey(id) ? "default" : rules.isShipped(id) ? "overridden" : "added";
    }

    /** Reads and parses a rules file (a JSON array of rules, or one rule); errors name the file, the rule and the field. */
    static RuleSet readRules(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("rules file " + file + " does not exist");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read rules file " + file + ": " + e.getMessage(), e);
        }
        try {
            return RuleSet.parse(ofKind(text, false));
        } catch (RuleSet.InvalidRuleException e) {
            throw new RuleSet.InvalidRuleException(file + ": " + e.getMessage(), e);
        }
    }

    /** The camera dwell rules ({@code "kind": "dwell"}) of a rules file; errors name the file, the rule and the key. */
    static List<DwellRule> readDwellRules(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read rules file " + file + ": " + e.getMessage(), e);
        }
        try {
            return DwellRules.parseAll(ofKind(text, true));
        } catch (IllegalArgumentException e) {
            throw new RuleSet.InvalidRuleException(file + ": " + e.getMessage(), e);
        }
    }

    /** The file's rules of one sort, as a JSON array: dwell rules, or the sensor rules (everything else). */
    private static String ofKind(String text, boolean dwell) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (IOException e) {
            return dwell ? "[]" : text; // RuleSet.parse says what is wrong with it
        }
        com.fasterxml.jackson.databind.node.ArrayNode out = Json.mapper().createArrayNode();
        if (root != null && root.isArray()) {
            root.forEach(n -> {
                if (DwellRule.KIND.equals(n.path("kind").asText(null)) == dwell) {
                    out.add(n);
                }
            });
        } else if (root != null && DwellRule.KIND.equals(root.path("kind").asText(null)) == dwell) {
            out.add(root);
        }
        return out.toString();
    }

    // ---- list --------------------------------------------------------------------------------

    @Command(name = "list", description = "The rules in force: the defaults with gw.rules.v1 laid over them, each marked default, overridden or added.")
    static final class ListRules implements Callable<Integer> {

        @ParentCommand
        RulesCommand rules;

        @Option(names = "--json", description = "one JSON object a line: {\"rule_id\", \"origin\", \"rule\"}")
        boolean json;

        @Override
        public Integer call() throws Exception {
            TopicRecords kafka = rules.kafka();
            RulesInForce inForce = rules.inForce(kafka);
            DwellRules dwell = readDwellInForce(kafka);
            if (json) {
                for (Rule r : inForce.effective().rules()) {
                    ObjectNode line = Json.mapper().createObjectNode();
                    line.put("rule_id", r.ruleId());
                    line.put("origin", inForce.origin(r.ruleId()).id());
                    line.set("rule", Json.mapper().valueToTree(r));
                    System.out.println(Json.mapper().writeValueAsString(line));
                }
                for (DwellRule r : dwell.rules().values()) {
                    ObjectNode line = Json.mapper().createObjectNode();
                    line.put("rule_id", r.ruleId());
                    line.put("origin", dwellOrigin(dwell, r.ruleId()));
                    line.set("rule", Json.mapper().valueToTree(r));
                    System.out.println(Json.mapper().writeValueAsString(line));
                }
            } else {
                ConsoleTable t = new ConsoleTable("rule", "type", "kind", "origin", "scope", "condition");
                Map<RulesInForce.Origin, Integer> counts = new java.util.EnumMap<>(RulesInForce.Origin.class);
                for (Rule r : inForce.effective().rules()) {
                    RulesInForce.Origin o = inForce.origin(r.ruleId());
                    counts.merge(o, 1, Integer::sum);
                    t.row(r.ruleId(), r.sensorType().id(), r.kind().id(), o.id(), scope(r), condition(r));
                }
                t.print(System.out);
                System.out.printf("%d rules in force: %d default, %d overridden, %d added (%s on %s)%n",
                        inForce.effective().rules().size(), counts.getOrDefault(RulesInForce.Origin.DEFAULT, 0),
                        counts.getOrDefault(RulesInForce.Origin.OVERRIDDEN, 0), counts.getOrDefault(RulesInForce.Origin.ADDED, 0), Topics.RULES.name(),
                        rules.top.workspace().config().stack().kafka().bootstrapServers());
                System.out.println();
                ConsoleTable d = new ConsoleTable("dwell rule", "object", "origin", "scope", "category", "condition");
                for (DwellRule r : dwell.rules().values()) {
                    d.row(r.ruleId(), r.object().id(), dwellOrigin(dwell, r.ruleId()), dwellScope(r), r.category().code(), dwellCondition(r));
                }
                d.print(System.out);
                System.out.printf("%d camera dwell rules in force (驻留规则: appear and stay)%n", dwell.rules().size());
            }
            warnIgnored(inForce);
            return 0;
        }
    }

    static String dwellScope(DwellRule r) {
        List<String> parts = new ArrayList<>();
        if (r.scope().camera() != null) {
            parts.add("camera " + r.scope().camera());
        }
        if (r.scope().zone() != null) {
            parts.add("zone " + r.scope().zone());
        }
        if (r.scope().purpose() != null) {
            parts.add("purpose " + r.scope().purpose());
        }
        if (r.schedule() != null) {
            parts.add("schedule " + r.schedule());
        }
        return parts.isEmpty() ? "all" : String.join(", ", parts);
    }

    /** {@code appears and stays 600 s (gaps <= 120 s, score >= 0.6); clear after 300 s unseen}. */
    static String dwellCondition(DwellRule r) {
        String text = "appears and stays " + r.stayS() + " s (gaps <= " + r.maxGapS() + " s, score >= " + number(r.minScore())
                + "); clear after " + r.clearS() + " s unseen";
        return r.isEnabled() ? text : "disabled (" + text + ")";
    }

    /** The dwell rules of a file against those in force, as {@link #changes} does for sensor rules. */
    static List<String[]> dwellChanges(List<DwellRule> file, DwellRules inForce, List<DwellRule> changed) {
        List<String[]> out = new ArrayList<>();
        for (DwellRule r : file) {
            DwellRule current = inForce.rule(r.ruleId()).orElse(null);
            List<String> fields = new ArrayList<>();
            if (current != null) {
                fieldDiff("", Json.mapper().valueToTree(current), Json.mapper().valueToTree(r), fields);
            }
            String kind = current == null ? RuleChange.ADDED : fields.isEmpty() ? RuleChange.UNCHANGED : RuleChange.CHANGED;
            if (!kind.equals(RuleChange.UNCHANGED)) {
                changed.add(r);
            }
            out.add(new String[] {r.ruleId(), kind, current == null ? "new dwell rule" : dwellOrigin(inForce, r.ruleId()), String.join("\n    ", fields)});
        }
        return out;
    }

    static void printDwellChanges(List<String[]> changes) {
        for (String[] c : changes) {
            System.out.printf("%-28s %-9s (%s)%n", c[0], c[1], c[2]);
            if (!c[3].isEmpty()) {
                System.out.println("    " + c[3]);
            }
        }
    }

    static void warnIgnored(RulesInForce inForce) {
        inForce.ignored().forEach((id, why) -> System.err.println("warning: the newest record of rule '" + id + "' on "
                + Topics.RULES.name() + " is ignored by the rules job: " + why));
    }

    static String scope(Rule r) {
        List<String> parts = new ArrayList<>();
        if (r.scope().district() != null) {
            parts.add("district " + r.scope().district());
        }
        if (r.scope().grid() != null) {
            parts.add("grid " + r.scope().grid());
        }
        if (r.scope().sensor() != null) {
            parts.add("sensor " + r.scope().sensor());
        }
        if (!r.family().equals(r.ruleId())) {
            parts.add("family " + r.family());
        }
        if (r.schedule() != null) {
            parts.add("schedule " + Json.mapper().valueToTree(r.schedule()).asText());
        }
        return parts.isEmpty() ? "all" : String.join(", ", parts);
    }

    /** The rule's condition in one line, e.g. {@code water_level_cm >= 15 for 300 s; clear water_level_cm < 5 for 600 s}. */
    static String condition(Rule r) {
        String text = switch (r.kind()) {
            case THRESHOLD -> r.threshold().raise().stream().map(RulesCommand::hold).collect(Collectors.joining(" | "))
                    + "; clear " + r.threshold().clear().stream().map(RulesCommand::hold).collect(Collectors.joining(" | "));
            case RATE -> "Δ" + r.rate().metric() + "/min over " + r.rate().windowS() + " s " + r.rate().op().symbol() + " "
                    + number(r.rate().value()) + " for " + r.rate().forS() + " s; clear unless " + r.rate().op().symbol() + " "
                    + number(r.rate().clearValue()) + " for " + r.rate().clearForS() + " s";
            case WINDOW_SUM -> "Σ" + r.windowSum().metric() + " over " + r.windowSum().windowS() + " s >= "
                    + number(r.windowSum().value()) + "; clear < " + number(r.windowSum().clearBelow());
            case OFFLINE -> "no reading for " + number(r.offline().factor()) + " × interval";
        };
        return r.isEnabled() ? text : "disabled (" + text + ")";
    }

    private static String hold(Rule.Hold h) {
        List<String> parts = new ArrayList<>();
        h.all().forEach(c -> parts.add(c.metric() + " " + c.op().symbol() + " " + number(c.value())));
        if (!h.any().isEmpty()) {
            String any = h.any().stream().map(c -> c.metric() + " " + c.op().symbol() + " " + number(c.value()))
                    .collect(Collectors.joining(" or "));
            parts.add(h.all().isEmpty() ? any : "(" + any + ")");
        }
        return String.join(" and ", parts) + (h.forS() > 0 ? " for " + h.forS() + " s" : "");
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ---- diff and push -----------------------------------------------------------------------

    /** How a rule of a file compares with the rule of its id in force. */
    record RuleChange(Rule rule, String kind, List<String> fields) {
        static final String ADDED = "added";
        static final String CHANGED = "changed";
        static final String UNCHANGED = "unchanged";

        boolean changes() {
            return !kind.equals(UNCHANGED);
        }
    }

    static List<RuleChange> changes(RuleSet file, RuleSet inForce) {
        List<RuleChange> out = new ArrayList<>();
        for (Rule r : file.rules()) {
            Rule current = inForce.rule(r.ruleId()).orElse(null);
            if (current == null) {
                out.add(new RuleChange(r, RuleChange.ADDED, List.of()));
            } else {
                List<String> fields = new ArrayList<>();
                fieldDiff("", Json.mapper().valueToTree(current), Json.mapper().valueToTree(r), fields);
                out.add(new RuleChange(r, fields.isEmpty() ? RuleChange.UNCHANGED : RuleChange.CHANGED, fields));
            }
        }
        return out;
    }

    /** Field-level differences of two JSON trees: {@code threshold.raise[0].all[0].value: 15 → 25}. */
    static void fieldDiff(String path, JsonNode before, JsonNode after, List<String> out) {
        if (before != null && after != null && before.isObject() && after.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                fieldDiff(path.isEmpty() ? n : path + "." + n, before.get(n), after.get(n), out);
            }
        } else if (before != null && after != null && before.isArray() && after.isArray()) {
            for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
                fieldDiff(path + "[" + i + "]", before.get(i), after.get(i), out);
            }
        } else if (before == null || after == null || !numericallyEqual(before, after)) {
            out.add(path + ": " + show(before) + " → " + show(after));
        }
    }

    private static boolean numericallyEqual(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.doubleValue() == b.doubleValue() : a.equals(b);
    }

    private static String show(JsonNode n) {
        return n == null || n.isNull() ? "(none)" : n.isTextual() ? n.asText() : n.isNumber() ? number(n.doubleValue()) : n.toString();
    }

    @Command(name = "diff", description = "Compare the rules of FILE with the rules in force, field by field, without pushing.")
    static final class Diff implements Callable<Integer> {

        @ParentCommand
        RulesCommand rules;

        @Parameters(paramLabel = "FILE", description = "a JSON array of rules, or one rule")
        Path file;

        @Override
        public Integer call() {
            RuleSet fileRules = rules.readChecked(file);
            List<DwellRule> fileDwell = readDwellRules(file);
            TopicRecords kafka = rules.kafka();
            RulesInForce inForce = rules.inForce(kafka);
            DwellRules dwellInForce = readDwellInForce(kafka);
            inForce.with(fileRules, file.toString()); // what push would refuse, diff refuses too
            dwellInForce.with(fileDwell);
            List<RuleChange> changes = changes(fileRules, inForce.effective());
            printChanges(changes, inForce);
            printDwellChanges(dwellChanges(fileDwell, dwellInForce, new ArrayList<>()));
            long changed = changes.stream().filter(c -> c.kind().equals(RuleChange.CHANGED)).count();
            long added = changes.stream().filter(c -> c.kind().equals(RuleChange.ADDED)).count();
            System.out.printf("%d changed, %d added, %d unchanged against the rules in force (nothing pushed)%n",
                    changed, added, changes.size() - changed - added);
            warnIgnored(inForce);
            return 0;
        }
    }

    static void printChanges(List<RuleChange> changes, RulesInForce inForce) {
        for (RuleChange c : changes) {
            String id = c.rule().ruleId();
            String was = c.kind().equals(RuleChange.ADDED) ? "new rule" : inForce.origin(id).id();
            System.out.printf("%-28s %-9s (%s)%n", id, c.kind(), was);
            for (String f : c.fields()) {
                System.out.println("    " + f);
            }
        }
    }

    @Command(name = "push", description = {"Validate the rules of FILE against the rules in force and write the changed ones to gw.rules.v1;",
            "the running rules job applies them from the next reading. --delete removes an analyst's rule (its default, if any, applies again)."})
    static final class Push implements Callable<Integer> {

        @ParentCommand
        RulesCommand rules;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "a JSON array of rules, or one rule")
        Path file;

        @Option(names = "--delete", paramLabel = "RULE_ID", description = "write a tombstone for this rule id (repeatable)")
        List<String> delete = new ArrayList<>();

        @Override
        public Integer call() {
            if (file == null && delete.isEmpty()) {
                throw new IllegalArgumentException("give a rules FILE, --delete RULE_ID, or both");
            }
            RuleSet fileRules = file == null ? RuleSet.empty() : rules.readChecked(file);
            List<DwellRule> fileDwell = file == null ? List.of() : readDwellRules(file);
            TopicRecords kafka = rules.kafka();
            RulesInForce inForce = rules.inForce(kafka);
            DwellRules dwellInForce = readDwellInForce(kafka);
            inForce.with(fileRules, file == null ? "push" : file.toString());
            try {
                dwellInForce.with(fileDwell);
            } catch (IllegalArgumentException e) {
                throw new RuleSet.InvalidRuleException(file + ": the dwell rules do not fit those in force: " + e.getMessage(), e);
            }
            List<String> dwellDeletes = delete.stream().filter(id -> dwellInForce.analysts().containsKey(id)).toList();
            delete = new ArrayList<>(delete);
            delete.removeAll(dwellDeletes);
            for (String id : delete) {
                if (fileRules.rule(id).isPresent()) {
                    throw new IllegalArgumentException("rule '" + id + "' is both in " + file + " and to be deleted");
                }
                if (!inForce.analysts().containsKey(id)) {
                    throw new IllegalArgumentException(DEFAULTS.rule(id).isPresent()
                            ? "rule '" + id + "' is a default that " + Topics.RULES.name() + " does not override: nothing to delete"
                            : "no rule '" + id + "' on " + Topics.RULES.name() + "; its rules are: " + inForce.analysts().keySet());
                }
            }
            try {
                inForce.after(fileRules.rules(), delete);
            } catch (IllegalArgumentException e) {
                throw new RuleSet.InvalidRuleException("after deleting " + delete + " the rules would clash: " + e.getMessage(), e);
            }

            List<RuleChange> changes = changes(fileRules, inForce.effective());
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (RuleChange c : changes) {
                if (c.changes()) {
                    try {
                        records.add(new ProducerRecord<>(Topics.RULES.name(), c.rule().ruleId(), Json.mapper().writeValueAsString(c.rule())));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("rule " + c.rule().ruleId() + " cannot be written as JSON", e);
                    }
                }
            }
            for (String id : delete) {
                records.add(new ProducerRecord<>(Topics.RULES.name(), id, null));
            }
            List<DwellRule> dwellChanged = new ArrayList<>();
            List<String[]> dwellChanges = dwellChanges(fileDwell, dwellInForce, dwellChanged);
            for (DwellRule r : dwellChanged) {
                try {
                    records.add(new ProducerRecord<>(Topics.RULES.name(), r.ruleId(), Json.mapper().writeValueAsString(r)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("dwell rule " + r.ruleId() + " cannot be written as JSON", e);
                }
            }
            for (String id : dwellDeletes) {
                records.add(new ProducerRecord<>(Topics.RULES.name(), id, null));
            }
            printChanges(changes, inForce);
            printDwellChanges(dwellChanges);
            for (String id : dwellDeletes) {
                System.out.printf("%-28s %-9s (%s)%n", id, "deleted", dwellInForce.isShipped(id) ? "its default applies again" : "gone");
            }
            for (String id : delete) {
                System.out.printf("%-28s %-9s (%s)%n", id, "deleted",
                        DEFAULTS.rule(id).isPresent() ? "its default applies again" : "gone");
            }
            if (records.isEmpty()) {
                System.out.println("nothing to push: every rule is already in force");
                return 0;
            }
            kafka.write(records);
            System.out.printf("pushed %d record%s to %s; the rules jobs apply them from the next reading or frame%n",
                    records.size(), records.size() == 1 ? "" : "s", Topics.RULES.name());
            return 0;
        }
    }

    // ---- backtest ----------------------------------------------------------------------------

    @Command(name = "backtest", description = {"Replay the readings recorded on gw.readings.v1 with ts in [--from, --to) through the rules",
            "in force (live) and through them with FILE laid over (candidate); print the cases each would have raised, side by side.",
            "Camera dwell rules in FILE (\"kind\": \"dwell\") replay the observations recorded on gw.observations.v1 instead."},
            footer = {"", "Both replays start cold at --from (no sensor state, no open case from before) and run in event-time order;",
                    "offline timers follow a watermark as far behind the newest reading as the rules job's. Readings are held in memory."})
    static final class BacktestRules implements Callable<Integer> {

        @ParentCommand
        RulesCommand rules;

        @Parameters(paramLabel = "FILE", description = "the candidate rules: a JSON array of rules, or one rule")
        Path file;

        @Option(names = "--from", required = true, paramLabel = "TIME", description = "start, inclusive: 2026-11-27T08:00:00Z, "
                + "an offset (…+08:00), a local time or a date (Asia/Shanghai)")
        String from;

        @Option(names = "--to", required = true, paramLabel = "TIME", description = "end, exclusive; the same forms as --from")
        String to;

        @Option(names = "--json", description = "print the comparison as one JSON object")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Instant start = time("--from", from);
            Instant end = time("--to", to);
            if (!start.isBefore(end)) {
                throw new IllegalArgumentException("the range is empty: --from " + from + " is not before --to " + to);
            }
            RuleSet fileRules = rules.readChecked(file);
            TopicRecords kafka = rules.kafka();
            List<DwellRule> fileDwell = readDwellRules(file);
            if (!fileDwell.isEmpty()) {
                int found = backtestCameras(kafka, fileDwell, start, end);
                if (fileRules.rules().isEmpty()) {
                    return found;
                }
                System.out.println();
            }
            RulesInForce inForce = rules.inForce(kafka);
            RuleSet candidate = inForce.with(fileRules, file.toString());

            List<Reading> readings = new ArrayList<>();
            long[] unreadable = {0};
            long scanned = kafka.readToEnd(Topics.READINGS.name(), r -> {
                Reading reading = reading(r, unreadable);
                if (reading != null && reading.ts() >= start.toEpochMilli() && reading.ts() < end.toEpochMilli()) {
                    readings.add(reading);
                }
            });
            if (unreadable[0] > 0) {
                System.err.println("warning: " + unreadable[0] + " records of " + Topics.READINGS.name() + " are not readings; skipped");
            }
            if (readings.isEmpty()) {
                System.err.printf("no readings on %s with ts in [%s, %s) (%d records scanned): nothing to replay%n",
                        Topics.READINGS.name(), LOCAL.format(start), LOCAL.format(end), scanned);
                return Gridwatch.NOT_FOUND;
            }
            CaseTracker tracker = new CaseTracker(rules.top.workspace().catalogue(), GridNames.of(AdministrativeDivisions.dalian()),
                    Responsibility.load(), CaseTracker.Settings.DEFAULTS);
            // imitates the job's watermark (jobs.sensor_pipeline.out_of_orderness_s): offline timers fire as they would there
            Comparison cmp = new Backtest(tracker, rules.top.workspace().config().jobs().sensorPipeline().outOfOrderness())
                    .compare(readings, inForce.effective(), candidate);
            List<String> ids = fileRules.rules().stream().map(Rule::ruleId).toList();
            if (json) {
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("schema", 1);
                root.put("from", start.toEpochMilli());
                root.put("from_iso", start.toString());
                root.put("to", end.toEpochMilli());
                root.put("to_iso", end.toString());
                root.set("candidate_rules", Json.mapper().valueToTree(ids));
                root.setAll((ObjectNode) Json.mapper().valueToTree(cmp));
                System.out.println(Json.mapper().writeValueAsString(root));
            } else {
                print(cmp, start, end, ids, "reading", "sensor");
            }
            skipped("live", cmp.live().skipped());
            skipped("candidate", cmp.candidate().skipped());
            warnIgnored(inForce);
            return 0;
        }

        /**
         * The camera half: the observations recorded on gw.observations.v1 with ts in [start, end) replayed through the
         * dwell rules in force and through them with the file's dwell rules laid over ({@link DwellReplay}).
         */
        private int backtestCameras(TopicRecords kafka, List<DwellRule> fileDwell, Instant start, Instant end) throws Exception {
            DwellRules live = readDwellInForce(kafka);
            DwellRules candidate;
            try {
                candidate = live.with(fileDwell);
            } catch (IllegalArgumentException e) {
                throw new RuleSet.InvalidRuleException(file + ": the dwell rules do not fit those in force: " + e.getMessage(), e);
            }
            List<Observation> observations = new ArrayList<>();
            long[] unreadable = {0};
            long scanned = kafka.readToEnd(Topics.OBSERVATIONS.name(), r -> {
                if (r.value() == null) {
                    return;
                }
                try {
                    Observation o = Json.mapper().readValue(r.value(), Observation.class);
                    if (o.ts() >= start.toEpochMilli() && o.ts() < end.toEpochMilli()) {
                        observations.add(o);
                    }
                } catch (IOException | IllegalArgumentException e) {
                    unreadable[0]++;
                }
            });
            if (unreadable[0] > 0) {
                System.err.println("warning: " + unreadable[0] + " records of " + Topics.OBSERVATIONS.name() + " are not observations; skipped");
            }
            if (observations.isEmpty()) {
                System.err.printf("no observations on %s with ts in [%s, %s) (%d records scanned): nothing to replay%n",
                        Topics.OBSERVATIONS.name(), LOCAL.format(start), LOCAL.format(end), scanned);
                return Gridwatch.NOT_FOUND;
            }
            int cameras = (int) observations.stream().map(Observation::camera).distinct().count();
            CaseTracker tracker = new CaseTracker(rules.top.workspace().catalogue(), GridNames.of(AdministrativeDivisions.dalian()),
                    Responsibility.load(), CaseTracker.Settings.DEFAULTS);
            Comparison cmp = new Backtest(tracker).compareDetections(DwellReplay.replay(observations, live),
                    DwellReplay.replay(observations, candidate), observations.size(), cameras);
            List<String> ids = fileDwell.stream().map(DwellRule::ruleId).toList();
            if (json) {
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("schema", 1);
                root.put("kind", "dwell");
                root.put("from", start.toEpochMilli());
                root.put("to", end.toEpochMilli());
                root.set("candidate_rules", Json.mapper().valueToTree(ids));
                root.setAll((ObjectNode) Json.mapper().valueToTree(cmp));
                System.out.println(Json.mapper().writeValueAsString(root));
            } else {
                print(cmp, start, end, ids, "observation", "camera");
            }
            skipped("live", cmp.live().skipped());
            skipped("candidate", cmp.candidate().skipped());
            return 0;
        }

        private static Reading reading(ConsumerRecord<String, String> r, long[] unreadable) {
            if (r.value() == null) {
                return null;
            }
            try {
                return Json.mapper().readValue(r.value(), Reading.class);
            } catch (IOException | IllegalArgumentException e) {
                unreadable[0]++;
                return null;
            }
        }

        private static Instant time(String option, String value) {
            return CasesCommand.parseTime(option, value);
        }

        private void print(Comparison cmp, Instant start, Instant end, List<String> ids, String input, String source) {
            System.out.printf("replayed %d %s%s of %d %s%s with ts in [%s, %s) (Asia/Shanghai)%n", cmp.live().readings(), input,
                    cmp.live().readings() == 1 ? "" : "s", cmp.live().sensors(), source, cmp.live().sensors() == 1 ? "" : "s",
                    LOCAL.format(start), LOCAL.format(end));
            System.out.printf("live = the rules in force; candidate = the rules in force with %s: %s%n", file, String.join(", ", ids));
            System.out.println();
            if (cmp.problems().isEmpty()) {
                System.out.println("neither the live nor the candidate rules raise a case over these " + input + "s");
            } else {
                ConsoleTable t = new ConsoleTable("problem", "category", "place", "live", "candidate", "change");
                for (Comparison.ProblemDiff p : cmp.problems()) {
                    ReplayedCase any = !p.live().isEmpty() ? p.live().get(0) : p.candidate().get(0);
                    t.row(problem(p.problemKey()), any.category() == null ? "-" : any.category().code() + " " + any.category().name(),
                            place(any.grid()), cases(p.live()), cases(p.candidate()), change(p));
                }
                t.print(System.out);
            }
            System.out.println();
            System.out.printf("live: %s; candidate: %s — %d only live, %d only candidate, %d changed, %d same%n",
                    totals(cmp.live()), totals(cmp.candidate()), cmp.with(Comparison.Change.ONLY_LIVE).size(),
                    cmp.with(Comparison.Change.ONLY_CANDIDATE).size(), cmp.with(Comparison.Change.CHANGED).size(),
                    cmp.with(Comparison.Change.SAME).size());
        }

        private static String totals(io.gridwatch.backtest.BacktestResult r) {
            int n = r.cases().size();
            int alerts = r.alertsByState().values().stream().mapToInt(Integer::intValue).sum();
            return n + " case" + (n == 1 ? "" : "s") + ", " + alerts + " alert" + (alerts == 1 ? "" : "s");
        }

        /** {@code sensor:wl-0031:water_level.default} → {@code wl-0031 water_level.default}. */
        private static String problem(String key) {
            String[] parts = key.split(":", 3);
            return parts.length == 3 ? parts[1] + " " + parts[2] : key;
        }

        private static String place(CaseFile.Grid g) {
            if (g == null || g.district() == null) {
                return "-";
            }
            return g.street() == null ? g.district() : g.district() + " " + g.street();
        }

        /** Each case as {@code 蓝色 07-28 08:08→08:25}, or {@code …→open} when it had not ended; {@code -} for none. */
        private static String cases(List<ReplayedCase> cases) {
            if (cases.isEmpty()) {
                return "-";
            }
            List<String> out = new ArrayList<>();
            for (ReplayedCase c : cases) {
                String severity = c.severity() == null ? "" : Severity.chinese(c.severity()) + " ";
                String ended = c.endedAt() == null ? "open" : LOCAL.format(Instant.ofEpochMilli(c.endedAt())).substring(6);
                out.add(severity + LOCAL.format(Instant.ofEpochMilli(c.raisedAt())) + "→" + ended);
            }
            return String.join("; ", out);
        }

        private static String change(Comparison.ProblemDiff p) {
            return switch (p.change()) {
                case ONLY_LIVE -> "only live: the candidate raises no case";
                case ONLY_CANDIDATE -> "only candidate: new case";
                case SAME -> "same";
                case CHANGED -> "changed: " + p.changes().stream().map(f -> f.field().replaceFirst("^cases\\[\\d+]\\.", ""))
                        .distinct().collect(Collectors.joining(", "));
            };
        }

        private static void skipped(String which, List<String> skipped) {
            if (!skipped.isEmpty()) {
                System.err.println("warning: " + skipped.size() + " detection" + (skipped.size() == 1 ? "" : "s") + " of the " + which
                        + " rules could not become cases; the first: " + skipped.get(0));
            }
        }
    }
}
