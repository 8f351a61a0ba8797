package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.util.List;

/** Columns padded like docker's tabwriter: each as wide as its widest cell, three spaces apart. */
final class Table {

    private Table() {
    }

    static void print(PrintWriter out, List<String[]> rows) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                sb.append(r[c]);
                if (c < columns - 1) {
                    sb.append(" ".repeat(width[c] - r[c].length() + 3));
                }
            }
            out.println(sb);
        }
    }
}
