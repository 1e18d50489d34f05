package dev.trace2skill.env.sheet;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The value semantics of the benchmark's evaluation, which runs in Python on openpyxl: how Python parses numbers
 * ({@code int()}, {@code float()}), rounds them ({@code round(x, n)}, correctly rounded, halves to even) and converts
 * Excel serial numbers to dates, times and durations (openpyxl's {@code from_excel}). Cell values are carried as
 * {@code null} (None), {@link BigInteger} (int), {@link Double} (float), {@link Boolean}, {@link String} and the
 * records below.
 */
final class PyValues {
    private PyValues() {
    }

    /** A Python {@code datetime.datetime} (naive, microsecond resolution). */
    record PyDateTime(LocalDateTime value) {
    }

    /** A Python {@code datetime.time}. */
    record PyTime(LocalTime value) {
        /** {@code str(time)}: HH:MM:SS, with .ffffff when there are microseconds. */
        String str() {
            String base = String.format("%02d:%02d:%02d", value.getHour(), value.getMinute(), value.getSecond());
            int micros = value.getNano() / 1000;
            return micros == 0 ? base : base + String.format(".%06d", micros);
        }
    }

    /** A Python {@code datetime.date}. */
    record PyDate(LocalDate value) {
    }

    /** A Python {@code datetime.timedelta}, as whole microseconds. */
    record PyTimedelta(long micros) {
    }

    /** A value Python could not produce (an overflow): the comparison raises, and the official evaluation fails. */
    static final class PyError extends RuntimeException {
        PyError(String message) {
            super(message, null, false, false);
        }
    }

    static final LocalDateTime WINDOWS_EPOCH = LocalDateTime.of(1899, 12, 30, 0, 0);
    static final LocalDateTime MAC_EPOCH = LocalDateTime.of(1904, 1, 1, 0, 0);
    private static final LocalDateTime MIN_DATETIME = LocalDateTime.of(1, 1, 1, 0, 0);
    private static final LocalDateTime MAX_DATETIME = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000);
    private static final BigDecimal MICROS_PER_DAY = BigDecimal.valueOf(86_400_000_000L);
    private static final long MAX_TIMEDELTA_DAYS = 999_999_999L;

    // ---- parsing, as int() and float() do -------------------------------------------------------------------------

    /** Python's whitespace ({@code str.isspace}). */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    /** What int() and float() see: Unicode whitespace stripped, Unicode decimal digits as ASCII; null if other non-ASCII. */
    private static String asciiNumber(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        StringBuilder out = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < 128) {
                out.append(c);
            } else if (Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER) {
                out.append((char) ('0' + Character.digit(c, 10)));
            } else if (isSpace(c)) {
                out.append(' ');
            } else {
                return null;
            }
        }
        return out.toString();
    }

    /** {@code int(s)}; empty when Python raises ValueError. */
    static Optional<BigInteger> parseInt(String s) {
        int n = s.length();
        if (n > 0 && n <= 18) { // the common case: plain ASCII digits
            boolean plain = true;
            for (int i = s.charAt(0) == '-' && n > 1 ? 1 : 0; i < n && plain; i++) {
                char c = s.charAt(i);
                plain = c >= '0' && c <= '9';
            }
            if (plain) {
                return Optional.of(BigInteger.valueOf(Long.parseLong(s)));
            }
        }
        String a = asciiNumber(s);
        if (a == null) {
            return Optional.empty();
        }
        int i = a.startsWith("+") || a.startsWith("-") ? 1 : 0;
        int end = digits(a, i);
        if (end < 0 || end != a.length()) {
            return Optional.empty();
        }
        return Optional.of(new BigInteger(a.replace("_", "")));
    }

    /**
     * The end of a run of digits with single underscores between them ({@code \d(_?\d)*}) starting at {@code i}, or -1
     * when there is no digit at {@code i}.
     */
    private static int digits(String a, int i) {
        if (i >= a.length() || a.charAt(i) < '0' || a.charAt(i) > '9') {
            return -1;
        }
        i++;
        while (i < a.length()) {
            char c = a.charAt(i);
            if (c >= '0' && c <= '9') {
                i++;
            } else if (c == '_' && i + 1 < a.length() && a.charAt(i + 1) >= '0' && a.charAt(i + 1) <= '9') {
                i += 2;
            } else {
                break;
            }
        }
        return i;
    }

    /** {@code float(s)}; empty when Python raises ValueError. */
    static Optional<Double> parseFloat(String s) {
        if (s.isEmpty() || s.length() > 10_000) {
            return Optional.empty();
        }
        String a = asciiNumber(s);
        if (a == null || a.isEmpty()) {
            return Optional.empty();
        }
        int i = a.charAt(0) == '+' || a.charAt(0) == '-' ? 1 : 0;
        boolean negative = a.charAt(0) == '-';
        String body = a.substring(i);
        if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) {
            return Optional.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (body.equalsIgnoreCase("nan")) {
            return Optional.of(Double.NaN);
        }
        // [digits] [. [digits]] with at least one digit, then an optional exponent
        int p = i;
        boolean mantissa = false;
        int d = digits(a, p);
        if (d > 0) {
            p = d;
            mantissa = true;
        }
        if (p < a.length() && a.charAt(p) == '.') {
            p++;
            d = digits(a, p);
            if (d > 0) {
                p = d;
                mantissa = true;
            }
        }
        if (!mantissa) {
            return Optional.empty();
        }
        if (p < a.length() && (a.charAt(p) == 'e' || a.charAt(p) == 'E')) {
            p++;
            if (p < a.length() && (a.charAt(p) == '+' || a.charAt(p) == '-')) {
                p++;
            }
            d = digits(a, p);
            if (d < 0) {
                return Optional.empty();
            }
            p = d;
        }
        if (p != a.length()) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(a.indexOf('_') >= 0 ? a.replace("_", "") : a));
    }

    /** {@code float(int)}: correctly rounded; Python raises OverflowError beyond the double range. */
    static double toFloat(BigInteger i) {
        double d = i.doubleValue();
        if (Double.isInfinite(d)) {
            throw new PyError("int too large to convert to float");
        }
        return d;
    }

    /** {@code round(x, digits)}: the exact binary value rounded to the decimal place, ties to even. */
    static double round(double x, int digits) {
        if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) {
            return x;
        }
        double r = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
        return r == 0 ? Math.copySign(0.0, x) : r;
    }

    // ---- Excel serial numbers, as openpyxl's from_excel -------------------------------------------------------------

    /**
     * openpyxl's {@code from_excel(value, epoch, timedelta)}: a {@link PyTimedelta} for duration formats, a
     * {@link PyTime} for serials in [0, 1), else a {@link PyDateTime} (serials below 60 shifted by Excel's phantom
     * 29 February 1900). Throws {@link PyError} where Python raises OverflowError or ValueError.
     */
    static Object fromExcel(Number value, boolean mac1904, boolean timedelta) {
        if (timedelta) {
            return timedelta(value);
        }
        double v = value.doubleValue();
        double day;
        double fraction;
        if (value instanceof BigInteger bi) {
            day = toFloat(bi);
            fraction = 0;
        } else {
            double[] dm = divmod1(v);
            day = dm[0];
            fraction = dm[1];
        }
        long ms = (long) Math.rint(fraction * 86400.0 * 1000.0);
        if (0 <= v && v < 1 && ms < 86_400_000L) {
            return new PyTime(LocalTime.ofNanoOfDay(ms * 1_000_000L));
        }
        if (0 < v && v < 60 && !mac1904) {
            day += 1;
        }
        if (Math.abs(day) > MAX_TIMEDELTA_DAYS) {
            throw new PyError("days=" + day + "; must have magnitude <= 999999999");
        }
        LocalDateTime epoch = mac1904 ? MAC_EPOCH : WINDOWS_EPOCH;
        LocalDateTime result;
        try {
            result = epoch.plusDays((long) day).plus(ms, ChronoUnit.MILLIS);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new PyError("date value out of range");
        }
        if (result.isBefore(MIN_DATETIME) || result.isAfter(MAX_DATETIME)) {
            throw new PyError("date value out of range");
        }
        return new PyDateTime(result);
    }

    /** CPython's float divmod(v, 1.0): floor and a non-negative remainder. */
    static double[] divmod1(double v) {
        double mod = v % 1.0;
        double div = v - mod;
        if (mod != 0) {
            if (mod < 0) {
                mod += 1.0;
                div -= 1.0;
            }
        } else {
            mod = 0.0;
        }
        double floordiv;
        if (div != 0) {
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) {
                floordiv += 1.0;
            }
        } else {
            floordiv = Math.copySign(0.0, v);
        }
        return new double[]{floordiv, mod};
    }

    private static PyTimedelta timedelta(Number value) {
        BigDecimal days = value instanceof BigInteger bi ? new BigDecimal(bi) : new BigDecimal(value.doubleValue());
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            throw new PyError("cannot convert float to timedelta");
        }
        if (days.abs().compareTo(BigDecimal.valueOf(MAX_TIMEDELTA_DAYS + 1)) >= 0) {
            throw new PyError("days=" + days + "; must have magnitude <= 999999999");
        }
        long micros = days.multiply(MICROS_PER_DAY).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        long micro = Math.floorMod(micros, 1_000_000L);
        if (micro != 0) {
            double seconds = Math.floor((double) micros / 1e6);
            long millisRounded = BigDecimal.valueOf(micro).setScale(-3, RoundingMode.HALF_EVEN).longValue();
            micros = (long) seconds * 1_000_000L + millisRounded;
        }
        return new PyTimedelta(micros);
    }

    /** The benchmark's {@code datetime_to_float}: whole days since 1899-12-30 plus seconds/86400 (microseconds dropped). */
    static double datetimeToFloat(LocalDateTime dt) {
        long micros = ChronoUnit.MICROS.between(WINDOWS_EPOCH, dt);
        long days = Math.floorDiv(micros, 86_400_000_000L);
        long seconds = Math.floorMod(micros, 86_400_000_000L) / 1_000_000L;
        return days + seconds / 86400.0;
    }

    /** openpyxl's {@code from_ISO8601} for {@code t="d"} cells: date, time, datetime or an ISO duration. */
    static Object fromIso8601(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        java.util.regex.Matcher m = ISO.matcher(s);
        if (m.lookingAt() && (m.group(1) != null || m.group(5) != null)) {
            String micro = m.group(9);
            int micros = micro == null ? 0 : (int) (Double.parseDouble(micro) * 1_000_000);
            try {
                if (m.group(1) == null) {
                    return new PyTime(LocalTime.of(Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7)),
                            m.group(8) == null ? 0 : Integer.parseInt(m.group(8)), micros * 1000));
                }
                LocalDate date = LocalDate.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
                if (m.group(5) == null) {
                    return new PyDate(date);
                }
                return new PyDateTime(date.atTime(Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7)),
                        m.group(8) == null ? 0 : Integer.parseInt(m.group(8)), micros * 1000));
            } catch (java.time.DateTimeException e) {
                throw new PyError("invalid datetime " + s);
            }
        }
        java.util.regex.Matcher d = ISO_DURATION.matcher(s);
        if (d.lookingAt() && (d.group(2) != null || d.group(4) != null || d.group(6) != null)) {
            double hours = d.group(2) == null ? 0 : Double.parseDouble(d.group(2));
            double minutes = d.group(4) == null ? 0 : Double.parseDouble(d.group(4));
            double seconds = d.group(6) == null ? 0 : Double.parseDouble(d.group(6));
            BigDecimal micros = new BigDecimal(hours).multiply(BigDecimal.valueOf(3_600_000_000L))
                    .add(new BigDecimal(minutes).multiply(BigDecimal.valueOf(60_000_000L)))
                    .add(new BigDecimal(seconds).multiply(BigDecimal.valueOf(1_000_000L)));
            return new PyTimedelta(micros.setScale(0, RoundingMode.HALF_EVEN).longValue());
        }
        throw new PyError("Invalid datetime value " + s);
    }

    private static final Pattern ISO = Pattern.compile(
            "((\\d{4})-(\\d{2})-(\\d{2}))?T?((\\d{2}):(\\d{2})(?::(\\d{2})(\\.\\d{1,3})?)?)?Z?");
    private static final Pattern ISO_DURATION = Pattern.compile("PT((\\d+)H)?((\\d+)M)?((\\d+(\\.\\d{1,3})?)S)?");

    /** A whole Python duration as text, for messages. */
    static String describe(PyTimedelta d) {
        return Duration.of(d.micros(), ChronoUnit.MICROS).toString();
    }
}
