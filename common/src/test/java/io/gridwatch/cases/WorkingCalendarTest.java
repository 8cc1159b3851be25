package io.gridwatch.cases;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** 计时方案: working time across weekends, public holidays and 调休 working weekends. */
class WorkingCalendarTest {

    static final WorkingCalendar CAL = WorkingCalendar.DALIAN;

    static Instant sh(String local) {
        return LocalDateTime.parse(local).atZone(CAL.zone()).toInstant();
    }

    @Test
    void theClockRunsOnlyInWorkingPeriods() {
        // Friday 16:30 + 2 working hours: one hour on Friday, one on Monday morning
        assertThat(CAL.addWorkingTime(sh("2026-11-27T16:30"), Duration.ofHours(2))).isEqualTo(sh("2026-11-30T09:30"));
        // over the lunch break
        assertThat(CAL.addWorkingTime(sh("2026-11-30T11:00"), Duration.ofHours(2))).isEqualTo(sh("2026-11-30T14:30"));
    }

    @Test
    void theSpringFestivalIsNoWorkingTimeAndItsWorkingSaturdaysAre() {
        // 2026 春节: off 15–23 Feb; Saturday 14 Feb and Saturday 28 Feb are worked (调休)
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 2, 14))).isTrue();
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 2, 16))).isFalse();
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 2, 28))).isTrue();
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 3, 1))).isFalse();
        // a case filed on Friday 13 Feb at 17:00 with 4 working hours: 30 min that day, 3.5 h on the working Saturday
        assertThat(CAL.addWorkingTime(sh("2026-02-13T17:00"), Duration.ofHours(4))).isEqualTo(sh("2026-02-14T12:00"));
        // one filed on the Saturday afternoon with 8 working hours: 1 h left that day, then nothing until Tuesday 24 Feb
        assertThat(CAL.addWorkingTime(sh("2026-02-14T16:30"), Duration.ofHours(8))).isEqualTo(sh("2026-02-24T17:00"));
    }

    @Test
    void nationalDayWeekIsOffAndTheSundayBeforeIsWorked() {
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 9, 20))).as("Sunday 20 Sep, 调休上班").isTrue();
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 9, 25))).as("中秋节, a Friday").isFalse();
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 10, 8))).as("Thursday after 国庆").isTrue();
        // Wednesday 30 Sep 17:00 + 1 working hour: 30 min, then the holiday, then Thursday 8 Oct 08:30 + 30 min
        assertThat(CAL.addWorkingTime(sh("2026-09-30T17:00"), Duration.ofHours(1))).isEqualTo(sh("2026-10-08T09:00"));
    }

    @Test
    void knowsWhichYearsItHasHolidaysFor() {
        assertThat(CAL.coversYear(2025)).isTrue();
        assertThat(CAL.coversYear(2026)).isTrue();
        assertThat(CAL.coversYear(2031)).isFalse();
        // an uncovered year falls back to the usual week
        assertThat(CAL.isWorkingDay(LocalDate.of(2031, 10, 1))).isTrue();
    }

    @Test
    void aBrokenHolidayTableSaysWhereItIsWrong() {
        assertThatThrownBy(() -> WorkingCalendar.parseExceptions("h.csv", new StringReader("date,kind,name\n2026-01-01,holiday,元旦\n")))
                .hasMessageContaining("h.csv line 2").hasMessageContaining("off or work");
        assertThatThrownBy(() -> WorkingCalendar.parseExceptions("h.csv", new StringReader("date,kind,name\n2026-13-01,off,x\n")))
                .hasMessageContaining("YYYY-MM-DD");
        assertThatThrownBy(() -> WorkingCalendar.parseExceptions("h.csv",
                new StringReader("date,kind,name\n2026-01-01,off,元旦\n2026-01-01,work,x\n"))).hasMessageContaining("listed twice");
    }
}
