package io.gridwatch.cases;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.io.Serializable;
import java.util.Objects;

/**
 * A case lifecycle message on {@code gw.cases.v1} (keyed by case id), CONTRACTS.md §4:
 * {@code {"type":"new"|"update"|"end","case":{…}}} with the full case each time.
 *
 * @param problemKey the problem the case is ({@code Detection.problemKey}), so that a store can refuse to let it
 *                   replace another problem's case; not part of the contract's JSON, null when read from it
 */
@JsonPropertyOrder({"type", "case"})
public record CaseMessage(String type, @JsonProperty("case") CaseFile caseFile, @JsonIgnore String problemKey)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String NEW = "new";
    public static final String UPDATE = "update";
    public static final String END = "end";

    public CaseMessage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(caseFile, "case");
        if (!type.equals(NEW) && !type.equals(UPDATE) && !type.equals(END)) {
            throw new IllegalArgumentException("case message type must be new, update or end, not '" + type + "'");
        }
    }

    /** A message whose problem is not known (read from {@code gw.cases.v1}, written by hand). */
    public CaseMessage(String type, CaseFile caseFile) {
        this(type, caseFile, null);
    }

    /** This message, naming the problem its case is. */
    public CaseMessage withProblemKey(String key) {
        return new CaseMessage(type, caseFile, key);
    }

    /**
     * What makes a message unique within its case, for idempotent writes: the tracker sends at most one
     * message per detection that it counts, so {@code (type, occurrences)} never repeats for different content.
     */
    @JsonIgnore
    public String messageId() {
        return caseFile.caseId() + "/" + type + "/" + caseFile.occurrences();
    }
}
