package io.gridwatch.cases;

import io.gridwatch.detection.Detection;

import java.util.Locale;

/**
 * The Chinese text of alerts: where (street and community) and what was measured, e.g.
 * {@code 凌水街道 凌海社区：道路积水 52 cm（橙色）}. Responders read these on their phones.
 */
final class AlertMessages {

    private AlertMessages() {
    }

    static String raised(CaseFile.Grid grid, String categoryName, Detection d) {
        return place(grid) + "：" + measure(categoryName, d) + severity("", d.severity());
    }

    static String escalated(CaseFile.Grid grid, String categoryName, Detection d) {
        return place(grid) + "：" + measure(categoryName, d) + severity("升级为", d.severity());
    }

    static String cleared(CaseFile.Grid grid, String categoryName, Detection d) {
        String now = d.value() == null ? "" : "，现" + value(d) + unitSuffix(d);
        return place(grid) + "：" + categoryName + "已解除" + now;
    }

    /** A case raised on readings that, re-judged in event-time order with late ones, never met the condition. */
    static String retracted(CaseFile.Grid grid, String categoryName) {
        return place(grid) + "：" + categoryName + "警报撤销（迟到的读数表明未达到报警条件）";
    }

    /** An auto-verified case that late readings showed had not cleared. */
    static String reopened(CaseFile.Grid grid, String categoryName, Detection d) {
        return place(grid) + "：" + categoryName + "并未解除（迟到的读数），案件重新打开" + severity("，", d.severity());
    }

    /** 区域防汛预警 and the like: an alert for a district, with no case behind it. */
    static String watchName(String team) {
        return switch (team == null ? "" : team) {
            case "flood" -> "区域防汛预警";
            case "snow" -> "区域除雪预警";
            default -> "区域预警";
        };
    }

    static String watchRaised(CaseFile.Grid grid, Detection d, boolean escalation) {
        String measured = d.value() == null ? "" : measure(null, d) + "，";
        return districtPlace(grid) + "：" + measured + (escalation ? "" : "启动") + watchName(d.team())
                + severity(escalation ? "升级为" : "", d.severity());
    }

    static String watchCleared(CaseFile.Grid grid, String team) {
        return districtPlace(grid) + "：" + watchName(team) + "解除";
    }

    /** 街道 社区 (the community without 居委会), or the district when the street is unknown. */
    static String place(CaseFile.Grid grid) {
        if (grid == null || grid.street() == null) {
            return grid != null && grid.district() != null ? grid.district() : "位置不在网格内";
        }
        return grid.community() == null ? grid.street() : grid.street() + " " + shortCommunity(grid.community());
    }

    private static String districtPlace(CaseFile.Grid grid) {
        if (grid == null || grid.district() == null) {
            return place(grid);
        }
        return grid.street() == null ? grid.district() : grid.district() + " " + grid.street();
    }

    static String shortCommunity(String community) {
        return community.endsWith("居委会") ? community.substring(0, community.length() - 3) : community;
    }

    /** What was measured, in words: {@code 道路积水 52 cm}, {@code 1小时降雨 32 mm}, {@code 雨水井盖 倾斜 20°}. */
    static String measure(String categoryName, Detection d) {
        String cat = categoryName == null ? "" : categoryName + " ";
        if (d.value() == null || d.metric() == null) {
            return categoryName == null ? "" : categoryName;
        }
        String v = value(d);
        return switch (d.metric()) {
            case "water_level_cm" -> cat + v + " cm";
            case "snow_depth_cm" -> cat + "积雪 " + v + " cm";
            case "road_temp_c" -> cat + "路面温度 " + v + " °C";
            case "tilt_deg" -> cat + "倾斜 " + v + "°";
            case "cover_open" -> cat + (d.value() >= 1 ? "井盖开启" : "井盖关闭");
            case "fill_pct" -> cat + "满溢度 " + v + "%";
            case "rain_mm" -> cat + "1小时降雨 " + v + " mm";
            default -> cat + d.metric() + " " + v + unitSuffix(d);
        };
    }

    private static String unitSuffix(Detection d) {
        if (d.metric() != null) {
            switch (d.metric()) {
                case "water_level_cm", "snow_depth_cm":
                    return " cm";
                case "rain_mm":
                    return " mm";
                case "fill_pct":
                    return "%";
                case "tilt_deg":
                    return "°";
                case "road_temp_c":
                    return " °C";
                default:
                    break;
            }
        }
        return d.unit() == null ? "" : " " + d.unit();
    }

    private static String value(Detection d) {
        double v = d.value();
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String severity(String prefix, Severity severity) {
        return severity == null ? "" : "（" + prefix + severity.chinese() + "）";
    }
}
