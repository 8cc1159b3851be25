package io.gridwatch.store;

/**
 * A write would have given one id to two problems: a case or alert of another problem under an existing id, or an
 * opening detection numbered for another problem. Refused, because ids are unique forever and a silent overwrite
 * loses a case (issue 11, finding 2); nothing of the batch is written. Retrying cannot help.
 */
public final class CaseConflictException extends StoreException {

    private final String id;

    /**
     * @param id      what two problems claim (a case id, an alert id, an opening detection)
     * @param stored  the problem it belongs to
     * @param refused the problem the refused write is of
     */
    public CaseConflictException(String id, String stored, String refused) {
        super(id + " already belongs to " + stored + "; refusing to give it to " + refused
                + " as well: an id was handed out twice");
        this.id = id;
    }

    /** What two problems claimed. */
    public String id() {
        return id;
    }
}
