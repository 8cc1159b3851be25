package io.gridwatch.jobs;

import io.gridwatch.cases.CaseTracker;

import java.io.Serializable;

/**
 * Where the cases operator gets its case numbers ({@link CaseTracker.CaseNumbering}): shipped with the job graph,
 * opened once per subtask. Case numbers must be unique forever whatever happens to the job's state, so they cannot
 * live in it; production uses {@link PostgresCaseNumbers}.
 */
@FunctionalInterface
public interface CaseNumberSource extends Serializable {

    Numbering open();

    /** An open numbering; closed with the operator. */
    interface Numbering extends CaseTracker.CaseNumbering, AutoCloseable {
        @Override
        default void close() {
        }
    }
}
