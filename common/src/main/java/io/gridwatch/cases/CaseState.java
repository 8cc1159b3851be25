package io.gridwatch.cases;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * What {@link CaseTracker} remembers about one problem (one {@code problem_key}) between detections;
 * the cases operator keeps one per problem in keyed state.
 *
 * @param phase              {@link Phase}
 * @param caseFile           the case as last sent (OPEN), the ended case (ENDED after a case), or null (WATCH)
 * @param team               the team alerted for this problem, or null
 * @param alertSubject       what alert ids are made from: the case id, or the watch episode
 * @param alertedSeverity    the severity of the last raised/escalated alert, or null
 * @param lastAlert          the last alert sent, for the place and category of a cleared alert; null if none
 * @param recentDetectionIds the ids of the last detections seen (bounded), so that replays produce nothing
 * @param endedAt            epoch ms when the problem ended (ENDED), else 0
 * @param earlier            the problem's earlier cases that ended within {@link #RETENTION_MS} (at most
 *                           {@link #EARLIER_CASES}), so that late readings can still correct them (修正)
 */
public record CaseState(Phase phase, CaseFile caseFile, String team, String alertSubject, String alertedSeverity,
                        Alert lastAlert, ArrayList<String> recentDetectionIds, long endedAt, ArrayList<CaseFile> earlier)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * How long an ended problem is remembered (to drop replayed detections) before the operator may clear its
     * state: readings are processed up to 1 hour late (CONTRACTS.md §1), so detections about it may be too.
     */
    public static final long RETENTION_MS = 2 * 3600_000L;

    public enum Phase {
        /** A case is open. */
        OPEN,
        /** An alert-only episode (a district flood watch) is running: no case. */
        WATCH,
        /** The case or watch ended; only kept to recognise replayed detections until {@link #expiresAt()}. */
        ENDED
    }

    /** How many earlier ended cases of one problem are kept for corrections. */
    public static final int EARLIER_CASES = 4;

    public CaseState {
        recentDetectionIds = recentDetectionIds == null ? new ArrayList<>() : recentDetectionIds;
        earlier = earlier == null ? new ArrayList<>() : earlier;
    }

    /** A state with no earlier cases (the tracker carries them over: {@code CaseTracker.onDetection}). */
    public CaseState(Phase phase, CaseFile caseFile, String team, String alertSubject, String alertedSeverity, Alert lastAlert,
                     ArrayList<String> recentDetectionIds, long endedAt) {
        this(phase, caseFile, team, alertSubject, alertedSeverity, lastAlert, recentDetectionIds, endedAt, new ArrayList<>());
    }

    CaseState withEarlier(ArrayList<CaseFile> cases) {
        return new CaseState(phase, caseFile, team, alertSubject, alertedSeverity, lastAlert, recentDetectionIds, endedAt, cases);
    }

    public boolean isOpen() {
        return phase != Phase.ENDED;
    }

    /** Epoch ms after which the operator may drop an ENDED state; {@link Long#MAX_VALUE} while open. */
    public long expiresAt() {
        return phase == Phase.ENDED ? endedAt + RETENTION_MS : Long.MAX_VALUE;
    }
}
