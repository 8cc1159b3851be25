package io.gridwatch.cases;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.io.Serializable;
import java.util.Objects;

/**
 * A case lifecycle message on {@code gw.cases.v1} (keyed by case id), CONTRACTS.md §4:
 * {@code {"type":"new"|"update"|"end","case":{…}}} with the full case each time.
 */
@JsonPropertyOrder({"type", "case"})
public record CaseMessage(String type, @JsonProperty("case") CaseFile caseFile) implements Serializable {

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

    /**
     * What makes a message unique within its case, for idempotent writes: the tracker sends at most one
     * message per detection that it counts, so {@code (type, occurrences)} never repeats for different content.
     */
    @JsonIgnore
    public String messageId() {
        return caseFile.caseId() + "/" + type + "/" + caseFile.occurrences();
    }
}
