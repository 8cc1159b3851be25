package io.gridwatch.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for the terminal that keeps its columns straight with Chinese text:
 * CJK characters take two columns on a terminal, so widths are counted in display cells.
 */
final class ConsoleTable {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    ConsoleTable(String... header) {
        this.header = List.of(header);
        this.rightAligned = new boolean[header.length];
    }

    /** Right-aligns the given columns (numbers). */
    ConsoleTable right(int... columns) {
        for (int c : columns) {
            rightAligned[c] = true;
        }
        return this;
    }

    ConsoleTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    void print(PrintStream out) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = width(header.get(i));
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], width(r.get(i)));
            }
        }
        out.println(line(header, w));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        out.println(rule);
        for (List<String> r : rows) {
            out.println(line(r, w));
        }
    }

    private String line(List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = cells.get(i);
            String pad = " ".repeat(w[i] - width(c));
            sb.append(i == 0 ? "" : "  ");
            if (rightAligned[i]) {
                sb.append(pad).append(c);
            } else {
                sb.append(c).append(i == w.length - 1 ? "" : pad);
            }
        }
        return sb.toString();
    }

    /**
     * A table printed row by row as rows arrive (a live feed), with fixed column widths; the last
     * column takes what it needs. Safe to call from several threads.
     */
    static final class Live {
        private final PrintStream out;
        private final int[] widths;
        private final String[] header;

        Live(PrintStream out, int[] widths, String... header) {
            if (widths.length != header.length - 1) {
                throw new IllegalArgumentException("give a width for every column but the last");
            }
            this.out = out;
            this.widths = widths;
            this.header = header;
        }

        synchronized void header() {
            out.println(format(header));
            StringBuilder rule = new StringBuilder();
            for (int w : widths) {
                rule.append("-".repeat(w)).append("  ");
            }
            out.println(rule.append("-".repeat(20)));
        }

        synchronized void row(String... cells) {
            out.println(format(cells));
        }

        /** A line between rows, set off so that it does not read as one. */
        synchronized void note(String text) {
            out.println("   · " + text);
        }

        private String format(String[] cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String c = cells[i] == null ? "" : cells[i];
                sb.append(c);
                if (i < widths.length) {
                    sb.append(" ".repeat(Math.max(1, widths[i] - width(c) + 2)));
                }
            }
            return sb.toString();
        }
    }

    /** Terminal cells taken by {@code s}: two for East Asian wide characters, one otherwise. */
    static int width(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            w += wide(cp) ? 2 : 1;
            i += Character.charCount(cp);
        }
        return w;
    }

    private static boolean wide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
