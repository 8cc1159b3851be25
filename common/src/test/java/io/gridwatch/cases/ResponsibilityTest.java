package io.gridwatch.cases;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponsibilityTest {

    static final Responsibility TABLE = Responsibility.load();
    static final WorkingCalendar CAL = WorkingCalendar.DALIAN;

    /** Asia/Shanghai local time as an instant. */
    static Instant sh(String local) {
        return java.time.LocalDateTime.parse(local).atZone(CaseIds.ZONE).toInstant();
    }

    @Test
    void workingTimeSkipsTheWeekend() {
        // Friday 2026-11-27 16:30 + 4 h: 1 h on Friday, 3 h on Monday morning
        assertThat(CAL.addWorkingTime(sh("2026-11-27T16:30"), Duration.ofHours(4))).isEqualTo(sh("2026-11-30T11:30"));
        // Saturday counts nothing until Monday 08:30
        assertThat(CAL.addWorkingTime(sh("2026-11-28T10:00"), Duration.ofHours(2))).isEqualTo(sh("2026-11-30T10:30"));
    }

    @Test
    void workingTimeSkipsTheLunchBreakAndTheNight() {
        assertThat(CAL.addWorkingTime(sh("2026-11-25T11:00"), Duration.ofHours(4))).isEqualTo(sh("2026-11-25T16:30"));
        assertThat(CAL.addWorkingTime(sh("2026-11-25T12:30"), Duration.ofMinutes(30))).isEqualTo(sh("2026-11-25T14:00"));
        // a working day is 7.5 h: 8 h from Wednesday evening end on Friday 09:00
        assertThat(CAL.addWorkingTime(sh("2026-11-25T20:00"), Duration.ofHours(8))).isEqualTo(sh("2026-11-27T09:00"));
        // exactly at the end of a period: the next period starts the count
        assertThat(CAL.addWorkingTime(sh("2026-11-25T17:30"), Duration.ofMinutes(1))).isEqualTo(sh("2026-11-26T08:31"));
    }

    @Test
    void urgentCasesCountCalendarHours() {
        var a = TABLE.assign("event", "0406", "210211", "甘井子区", sh("2026-11-27T16:30"), true);
        assertThat(Instant.ofEpochMilli(a.deadline())).isEqualTo(sh("2026-11-27T20:30"));
        var b = TABLE.assign("event", "0406", "210211", "甘井子区", sh("2026-11-27T16:30"), false);
        assertThat(Instant.ofEpochMilli(b.deadline())).isEqualTo(sh("2026-11-30T11:30"));
    }

    @Test
    void theMostSpecificRowWins() {
        assertThat(TABLE.rule("event", "0406", "210211").department()).isEqualTo("甘井子区市政设施管理处");
        assertThat(TABLE.assign("event", "0406", "210202", "中山区", sh("2026-11-25T09:00"), false).department())
                .isEqualTo("中山区市政设施管理处");
        // a manhole cover: 0103 雨水井盖 by the 01* prefix row, 0101 上水井盖 by its own row
        assertThat(TABLE.assign("component", "0103", "210203", "西岗区", sh("2026-11-25T09:00"), false).department())
                .isEqualTo("西岗区市政设施管理处");
        assertThat(TABLE.rule("component", "0101", "210203").department()).isEqualTo("大连市水务集团有限公司");
        // 0406 is also a component code: the kind keeps them apart
        assertThat(TABLE.rule("component", "0406", "210211").department()).isEqualTo("{district}城市管理局");
    }

    @Test
    void anUnknownClassGetsTheDefaultRow() {
        var a = TABLE.assign("event", "0999", "210204", "沙河口区", sh("2026-11-25T09:00"), false);
        assertThat(a.department()).isEqualTo("沙河口区城市管理局");
        // 8 working hours from Wednesday 09:00: 7 h that day, 1 h on Thursday
        assertThat(Instant.ofEpochMilli(a.deadline())).isEqualTo(sh("2026-11-26T09:30"));
        assertThat(TABLE.assign("event", "0999", null, null, sh("2026-11-25T09:00"), false).department()).isEqualTo("区城市管理局");
    }

    @Test
    void badTablesAreRejectedWithTheLine() {
        String header = "kind,code,district,department,working_hours\n";
        assertThatThrownBy(() -> Responsibility.parse("t.csv", new StringReader(header + "*,*,*,x,8\nevent,04x6,*,y,4\n")))
                .hasMessageContaining("t.csv line 3").hasMessageContaining("04x6");
        assertThatThrownBy(() -> Responsibility.parse("t.csv", new StringReader(header + "event,0406,*,y,-1\n")))
                .hasMessageContaining("working_hours");
        assertThatThrownBy(() -> new Responsibility(Responsibility.parse("t.csv", new StringReader(header + "event,0406,*,y,4\n")),
                CAL)).hasMessageContaining("default row");
        assertThatThrownBy(() -> WorkingCalendar.parse("Asia/Shanghai", "MON-FRI", "12:00-08:30")).hasMessageContaining("start before");
    }
}
