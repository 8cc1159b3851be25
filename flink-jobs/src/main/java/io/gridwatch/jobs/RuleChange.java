package io.gridwatch.jobs;

import java.io.Serializable;

/**
 * A record of {@code gw.rules.v1}: a rule's JSON under its id, or null to delete it (the topic is
 * compacted, so its content is the current set of analysts' rules).
 */
public record RuleChange(String ruleId, String json) implements Serializable {

    public boolean isDelete() {
        return json == null;
    }
}
