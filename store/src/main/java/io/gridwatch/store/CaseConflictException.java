package io.gridwatch.store;

/**
 * A write would have replaced one problem's case or alert with another's under the same id: refused, because
 * ids are unique forever and a silent overwrite loses a case (issue 11, finding 2). Nothing of the batch is written.
 */
public final class CaseConflictException extends StoreException {

    private final String id;

    public CaseConflictException(String id, String stored, String refused) {
        super(id + " already belongs to " + stored + "; refusing to overwrite it with " + refused
                + ". An id was handed out twice: check that the cases job numbers cases through PostgreSQL (case_number)");
        this.id = id;
    }

    /** The case or alert id that was given to two problems. */
    public String id() {
        return id;
    }
}
