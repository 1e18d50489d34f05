package dev.trace2skill.env.sheet;

import org.apache.poi.openxml4j.exceptions.InvalidFormatException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.openxml4j.opc.PackagePart;
import org.apache.poi.openxml4j.opc.PackageRelationship;
import org.apache.poi.openxml4j.opc.PackageRelationshipCollection;
import org.apache.poi.openxml4j.opc.PackagingURIHelper;
import org.apache.poi.openxml4j.opc.TargetMode;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A workbook's cell values as the benchmark's evaluation reads them: {@code openpyxl.load_workbook(data_only=True)}.
 * Cached values only (formulas are not evaluated), numbers as int or float by their text, numbers in a date or duration
 * format as datetime, time or timedelta, shared and inline strings without their formatting (and with openpyxl's one
 * {@code x005F_} unescape), booleans, error codes as text, and every cell of a merged region except its top-left one
 * empty. Sheets are listed as openpyxl lists them (worksheets and chartsheets, in workbook order); only the sheets the
 * caller keeps are held in memory, but every worksheet is read, because openpyxl fails to load a workbook when any
 * cell cannot be read.
 *
 * <p>The package is opened with Apache POI's OPC layer (zip, content types, relationships, zip-bomb limits) and each
 * part is streamed with StAX, with DTDs and external entities off.
 */
final class XlsxValues {
    /** The workbook cannot be loaded (not a zip, no workbook part, a malformed cell): the evaluation fails. */
    static final class UnreadableWorkbookException extends Exception {
        UnreadableWorkbookException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One sheet's values, keyed by {@link #key(int, int)}. */
    static final class Sheet {
        final String name;
        final boolean chartsheet;
        final Map<Long, Object> cells = new HashMap<>();
        int maxRow;
        int maxColumn;

        Sheet(String name, boolean chartsheet) {
            this.name = name;
            this.chartsheet = chartsheet;
        }

        Object value(int row, int column) {
            return cells.get(key(row, column));
        }
    }

    static long key(int row, int column) {
        return ((long) row << 20) | column;
    }

    private static final String REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
    private static final String REL_OFFICE_DOCUMENT_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument";
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        PoiLimits.apply();
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XML.setProperty(XMLInputFactory.IS_COALESCING, true);
    }

    private final List<String> sheetNames = new ArrayList<>();
    private final Map<String, Sheet> kept = new LinkedHashMap<>();
    private boolean mac1904;

    List<String> sheetNames() {
        return Collections.unmodifiableList(sheetNames);
    }

    /** A kept sheet, or null (not in the workbook, or not kept). */
    Sheet sheet(String name) {
        return kept.get(name);
    }

    boolean mac1904() {
        return mac1904;
    }

    static XlsxValues read(Path file, Predicate<String> keepSheet) throws UnreadableWorkbookException {
        OPCPackage pkg;
        try {
            pkg = OPCPackage.open(file.toFile(), PackageAccess.READ);
        } catch (InvalidFormatException | RuntimeException e) {
            throw new UnreadableWorkbookException("not an OOXML package: " + e.getMessage(), e);
        }
        try {
            XlsxValues v = new XlsxValues();
            v.load(pkg, keepSheet);
            return v;
        } catch (IOException | XMLStreamException | InvalidFormatException | RuntimeException e) {
            throw new UnreadableWorkbookException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        } finally {
            pkg.revert();
        }
    }

    private record SheetRef(String name, String relId) {
    }

    private void load(OPCPackage pkg, Predicate<String> keepSheet) throws IOException, XMLStreamException, InvalidFormatException {
        PackageRelationshipCollection docs = pkg.getRelationshipsByType(REL_OFFICE_DOCUMENT);
        if (docs.isEmpty()) {
            docs = pkg.getRelationshipsByType(REL_OFFICE_DOCUMENT_STRICT);
        }
        if (docs.isEmpty()) {
            throw new IOException("the package has no workbook part");
        }
        PackagePart workbook = pkg.getPart(docs.getRelationship(0));
        if (workbook == null) {
            throw new IOException("the workbook part is missing");
        }
        List<SheetRef> refs = readWorkbook(workbook);
        List<String> strings = List.of();
        PackagePart sst = related(pkg, workbook, "sharedStrings");
        if (sst != null) {
            try (InputStream in = sst.getInputStream()) {
                strings = readSharedStrings(in);
            }
        }
        Styles styles = Styles.DEFAULT;
        PackagePart st = related(pkg, workbook, "styles");
        if (st != null) {
            try (InputStream in = st.getInputStream()) {
                styles = readStyles(in);
            }
        }
        for (SheetRef ref : refs) {
            PackageRelationship rel = ref.relId() == null ? null : workbook.getRelationship(ref.relId());
            if (rel == null || rel.getTargetMode() == TargetMode.EXTERNAL) {
                continue;
            }
            PackagePart part = part(pkg, workbook, rel);
            if (part == null) {
                continue; // openpyxl skips sheets whose part is not in the archive
            }
            boolean chart = rel.getRelationshipType().endsWith("/chartsheet");
            sheetNames.add(ref.name());
            Sheet sheet = new Sheet(ref.name(), chart);
            if (chart) {
                kept.put(ref.name(), sheet);
                continue;
            }
            boolean keep = keepSheet.test(ref.name());
            try (InputStream in = part.getInputStream()) {
                readSheet(in, sheet, strings, styles, keep);
            }
            if (keep) {
                kept.putIfAbsent(ref.name(), sheet);
            }
        }
    }

    private static PackagePart related(OPCPackage pkg, PackagePart from, String kind) throws InvalidFormatException {
        for (PackageRelationship r : from.getRelationships()) {
            if (r.getTargetMode() != TargetMode.EXTERNAL && r.getRelationshipType().endsWith("/" + kind)) {
                PackagePart p = part(pkg, from, r);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private static PackagePart part(OPCPackage pkg, PackagePart from, PackageRelationship rel) throws InvalidFormatException {
        URI target = PackagingURIHelper.resolvePartUri(from.getPartName().getURI(), rel.getTargetURI());
        return pkg.getPart(PackagingURIHelper.createPartName(target));
    }

    private List<SheetRef> readWorkbook(PackagePart workbook) throws IOException, XMLStreamException {
        List<SheetRef> refs = new ArrayList<>();
        try (InputStream in = workbook.getInputStream()) {
            XMLStreamReader x = XML.createXMLStreamReader(in);
            try {
                while (x.hasNext()) {
                    if (x.next() != XMLStreamConstants.START_ELEMENT) {
                        continue;
                    }
                    String local = x.getLocalName();
                    if (local.equals("workbookPr")) {
                        String d = attribute(x, "date1904");
                        mac1904 = d != null && (d.equals("1") || d.equalsIgnoreCase("true"));
                    } else if (local.equals("sheet")) {
                        String relId = null;
                        for (int i = 0; i < x.getAttributeCount(); i++) {
                            if (x.getAttributeLocalName(i).equals("id") && x.getAttributeNamespace(i) != null
                                    && x.getAttributeNamespace(i).contains("relationships")) {
                                relId = x.getAttributeValue(i);
                            }
                        }
                        refs.add(new SheetRef(attribute(x, "name"), relId));
                    }
                }
            } finally {
                x.close();
            }
        }
        return refs;
    }

    private static String attribute(XMLStreamReader x, String localName) {
        int n = x.getAttributeCount();
        if (n <= 4) {
            for (int i = 0; i < n; i++) {
                if (x.getAttributeLocalName(i).equals(localName)) {
                    String ns = x.getAttributeNamespace(i);
                    if (ns == null || ns.isEmpty()) {
                        return x.getAttributeValue(i);
                    }
                }
            }
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (x.getAttributeLocalName(i).equals(localName) && (x.getAttributeNamespace(i) == null || x.getAttributeNamespace(i).isEmpty())) {
                return x.getAttributeValue(i);
            }
        }
        return null;
    }

    // ---- shared strings ----------------------------------------------------------------------------------------------

    static List<String> readSharedStrings(InputStream in) throws XMLStreamException {
        List<String> out = new ArrayList<>();
        XMLStreamReader x = XML.createXMLStreamReader(in);
        try {
            while (x.hasNext()) {
                if (x.next() == XMLStreamConstants.START_ELEMENT && x.getLocalName().equals("si")) {
                    out.add(richText(x).replace("x005F_", ""));
                }
            }
        } finally {
            x.close();
        }
        return out;
    }

    /**
     * The text of a {@code si} or {@code is} element as openpyxl's {@code Text.content}: its own {@code t} followed by
     * the {@code t} of each run ({@code r}); phonetic runs ({@code rPh}) left out. The reader is on the start element
     * and is left on its end element.
     */
    static String richText(XMLStreamReader x) throws XMLStreamException {
        String plain = null;
        StringBuilder runs = new StringBuilder();
        int depth = 1;
        String parent = null;
        while (depth > 0) {
            int e = x.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                depth++;
                String local = x.getLocalName();
                if (depth == 2) {
                    parent = local;
                    if (local.equals("t")) {
                        plain = x.getElementText();
                        depth--;
                    }
                } else if (depth == 3 && "r".equals(parent) && local.equals("t")) {
                    runs.append(x.getElementText());
                    depth--;
                }
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        return (plain == null ? "" : plain) + runs;
    }

    // ---- styles ------------------------------------------------------------------------------------------------------

    /** For each cell style (cellXfs index): whether openpyxl reads its numbers as dates, and as durations. */
    record Styles(int count, Set<Integer> dates, Set<Integer> timedeltas) {
        static final Styles DEFAULT = new Styles(1, Set.of(), Set.of());
    }

    static Styles readStyles(InputStream in) throws XMLStreamException {
        Map<Integer, String> custom = new HashMap<>();
        List<Integer> xfFormats = new ArrayList<>();
        XMLStreamReader x = XML.createXMLStreamReader(in);
        try {
            boolean inCellXfs = false;
            int depth = 0;
            int cellXfsDepth = -1;
            while (x.hasNext()) {
                int e = x.next();
                if (e == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String local = x.getLocalName();
                    if (local.equals("numFmt")) {
                        String id = attribute(x, "numFmtId");
                        if (id != null) {
                            custom.put(Integer.parseInt(id.strip()), attribute(x, "formatCode"));
                        }
                    } else if (local.equals("cellXfs")) {
                        inCellXfs = true;
                        cellXfsDepth = depth;
                    } else if (inCellXfs && local.equals("xf") && depth == cellXfsDepth + 1) {
                        String id = attribute(x, "numFmtId");
                        xfFormats.add(id == null ? 0 : Integer.parseInt(id.strip()));
                    }
                } else if (e == XMLStreamConstants.END_ELEMENT) {
                    if (inCellXfs && depth == cellXfsDepth) {
                        inCellXfs = false;
                    }
                    depth--;
                }
            }
        } finally {
            x.close();
        }
        Set<Integer> dates = new HashSet<>();
        Set<Integer> deltas = new HashSet<>();
        for (int i = 0; i < xfFormats.size(); i++) {
            int id = xfFormats.get(i);
            String format = custom.containsKey(id) ? custom.get(id) : NumberFormats.BUILTIN.get(id);
            if (NumberFormats.isDate(format)) {
                dates.add(i);
            }
            if (NumberFormats.isTimedelta(format)) {
                deltas.add(i);
            }
        }
        return new Styles(Math.max(1, xfFormats.size()), dates, deltas);
    }

    // ---- worksheets --------------------------------------------------------------------------------------------------

    private void readSheet(InputStream in, Sheet sheet, List<String> strings, Styles styles, boolean keep) throws XMLStreamException {
        XMLStreamReader x = XML.createXMLStreamReader(in);
        try {
            int row = 0;
            int column = 0;
            List<String> merged = new ArrayList<>();
            while (x.hasNext()) {
                if (x.next() != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                String local = x.getLocalName();
                switch (local) {
                    case "row" -> {
                        String r = attribute(x, "r");
                        row = r == null ? row + 1 : rowNumber(r);
                        column = 0;
                    }
                    case "c" -> {
                        String r = attribute(x, "r");
                        int cellRow = row;
                        if (r != null) {
                            int[] rc = coordinate(r);
                            cellRow = rc[0];
                            column = rc[1];
                        } else {
                            column++;
                        }
                        Object value = cell(x, strings, styles);
                        if (keep) {
                            long k = key(cellRow, column);
                            if (value == null) {
                                sheet.cells.remove(k);
                            } else {
                                sheet.cells.put(k, value);
                            }
                            sheet.maxRow = Math.max(sheet.maxRow, cellRow);
                            sheet.maxColumn = Math.max(sheet.maxColumn, column);
                        }
                    }
                    case "mergeCell" -> {
                        String ref = attribute(x, "ref");
                        if (ref != null) {
                            merged.add(ref);
                        }
                    }
                    default -> {
                    }
                }
            }
            if (keep) {
                for (String ref : merged) {
                    clearMerged(sheet, ref);
                }
            }
        } finally {
            x.close();
        }
    }

    /** Every cell of a merged region but its top-left one becomes empty, as openpyxl's MergedCell. */
    private static void clearMerged(Sheet sheet, String ref) {
        String[] ends = ref.strip().split(":");
        if (ends.length != 2) {
            return;
        }
        int[] a = coordinate(ends[0]);
        int[] b = coordinate(ends[1]);
        long cells = (long) (b[0] - a[0] + 1) * (b[1] - a[1] + 1);
        if (cells <= 1) {
            return;
        }
        if (cells > sheet.cells.size() * 4L) {
            sheet.cells.keySet().removeIf(k -> {
                int r = (int) (k >>> 20);
                int c = (int) (k & 0xFFFFF);
                return r >= a[0] && r <= b[0] && c >= a[1] && c <= b[1] && !(r == a[0] && c == a[1]);
            });
            return;
        }
        for (int r = a[0]; r <= b[0]; r++) {
            for (int c = a[1]; c <= b[1]; c++) {
                if (r != a[0] || c != a[1]) {
                    sheet.cells.remove(key(r, c));
                }
            }
        }
    }

    /** A {@code c} element's value, as openpyxl's {@code WorkSheetParser.parse_cell} with {@code data_only=True}. */
    private Object cell(XMLStreamReader x, List<String> strings, Styles styles) throws XMLStreamException {
        String type = attribute(x, "t");
        if (type == null) {
            type = "n";
        }
        String s = attribute(x, "s");
        int style = 0;
        if (s != null) {
            BigInteger id = PyValues.parseInt(s).orElseThrow(() -> new IllegalStateException("invalid style id " + s));
            if (id.compareTo(BigInteger.valueOf(-styles.count())) < 0 || id.compareTo(BigInteger.valueOf(styles.count())) >= 0) {
                throw new IllegalStateException("style id " + s + " is not in the stylesheet");
            }
            style = id.intValue();
        }
        String text = null;
        boolean sawV = false;
        String inline = null;
        int depth = 1;
        while (depth > 0) {
            int e = x.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                String local = x.getLocalName();
                if (depth == 1 && local.equals("v") && !sawV) {
                    sawV = true;
                    text = x.getElementText();
                } else if (depth == 1 && local.equals("is") && inline == null) {
                    inline = richText(x);
                } else {
                    depth++;
                }
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        if (type.equals("inlineStr")) {
            return inline;
        }
        if (text == null || text.isEmpty()) {
            return null;
        }
        String v = text;
        return switch (type) {
            case "n" -> {
                Number n = castNumber(v);
                if (styles.dates().contains(style)) {
                    try {
                        yield PyValues.fromExcel(n, mac1904, styles.timedeltas().contains(style));
                    } catch (PyValues.PyError overflow) {
                        yield "#VALUE!"; // openpyxl: "is marked as a date but the serial value ... is outside the limits"
                    }
                }
                yield n;
            }
            case "s" -> {
                BigInteger i = PyValues.parseInt(v).orElseThrow(() -> new IllegalStateException("invalid shared string index " + v));
                int size = strings.size();
                if (i.compareTo(BigInteger.valueOf(-size)) < 0 || i.compareTo(BigInteger.valueOf(size)) >= 0) {
                    throw new IllegalStateException("shared string index " + v + " out of range");
                }
                int idx = i.intValue();
                yield strings.get(idx < 0 ? idx + size : idx);
            }
            case "b" -> PyValues.parseInt(v).map(i -> i.signum() != 0)
                    .orElseThrow(() -> new IllegalStateException("invalid boolean " + v));
            case "d" -> PyValues.fromIso8601(v);
            default -> v; // str (a formula's text result), e (an error code) and unknown types: the text itself
        };
    }

    /** openpyxl's {@code _cast_number}: a float when the text has '.', 'E' or 'e', else an int. */
    static Number castNumber(String v) {
        if (v.indexOf('.') >= 0 || v.indexOf('E') >= 0 || v.indexOf('e') >= 0) {
            return PyValues.parseFloat(v).orElseThrow(() -> new IllegalStateException("invalid number " + v));
        }
        return PyValues.parseInt(v).orElseThrow(() -> new IllegalStateException("invalid number " + v));
    }

    private static int rowNumber(String r) {
        Optional<BigInteger> i = PyValues.parseInt(r);
        if (i.isPresent()) {
            return i.get().intValueExact();
        }
        double d = PyValues.parseFloat(r).orElseThrow(() -> new IllegalStateException("invalid row number " + r));
        if (d != Math.rint(d)) {
            throw new IllegalStateException("row number " + r + " is not an integer");
        }
        return (int) d;
    }

    /** openpyxl's {@code coordinate_to_tuple}: letters up to the first ASCII digit (A..ZZZ), then the row. */
    static int[] coordinate(String ref) {
        int letters = 0;
        int column = 0;
        while (letters < ref.length() && letters < 3 && ref.charAt(letters) >= 'A' && ref.charAt(letters) <= 'Z') {
            column = column * 26 + (ref.charAt(letters) - 'A' + 1);
            letters++;
        }
        if (letters > 0 && letters < ref.length() && ref.length() - letters <= 7) { // the common case: A1 .. XFD1048576
            int row = 0;
            boolean digits = true;
            for (int i = letters; i < ref.length() && digits; i++) {
                char c = ref.charAt(i);
                digits = c >= '0' && c <= '9';
                row = row * 10 + (c - '0');
            }
            if (digits) {
                return new int[]{row, column};
            }
        }
        int idx = 0;
        while (idx < ref.length() && (ref.charAt(idx) < '0' || ref.charAt(idx) > '9')) {
            idx++;
        }
        if (idx == ref.length()) {
            idx = Math.max(0, ref.length() - 1);
        }
        column = Columns.index(ref.substring(0, idx).toUpperCase(java.util.Locale.ROOT));
        if (column < 1) {
            throw new IllegalStateException("invalid cell reference " + ref);
        }
        BigInteger row = PyValues.parseInt(ref.substring(idx)).orElseThrow(() -> new IllegalStateException("invalid cell reference " + ref));
        return new int[]{row.intValueExact(), column};
    }
}
