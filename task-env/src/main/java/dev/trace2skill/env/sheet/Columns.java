package dev.trace2skill.env.sheet;

/** Column letters and numbers (A = 1 … ZZZ = 18278, the range openpyxl accepts; Excel stops at XFD = 16384). */
final class Columns {
    static final int MAX = 18278;
    static final int EXCEL_MAX = 16384;

    private Columns() {
    }

    /** The column number of letters A..ZZZ (upper case), or 0 when they are not a column. */
    static int index(String letters) {
        if (letters.isEmpty() || letters.length() > 3) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            if (c < 'A' || c > 'Z') {
                return 0;
            }
            n = n * 26 + (c - 'A' + 1);
        }
        return n;
    }

    /** The letters of a column number; "" for numbers below 1 (as the benchmark's col_num2name). */
    static String name(long n) {
        StringBuilder s = new StringBuilder();
        while (n > 0) {
            long rem = (n - 1) % 26;
            n = (n - 1) / 26;
            s.insert(0, (char) ('A' + rem));
        }
        return s.toString();
    }
}
