package dev.trace2skill.env.sheet;

import java.time.Duration;
import java.util.List;

/**
 * How spreadsheet episodes and checks run.
 *
 * @param recalculator        {@code poi} (Apache POI's formula evaluator, in process) or {@code libreoffice} (headless
 *                            LibreOffice, a real process per recalculation, for functions POI cannot evaluate)
 * @param soffice             the LibreOffice command (e.g. {@code soffice}, or a full path)
 * @param recalcTimeout       how long one recalculation may take (the LibreOffice process is killed after it)
 * @param maxWorkbookBytes    the largest workbook file an episode opens or a check reads
 * @param maxUnzippedBytes    the most a workbook's parts may inflate to, all together, before an episode loads it
 * @param maxReadCells        cells one read_range call returns
 * @param maxWriteCells       cells one write_range call writes
 * @param maxEpisodeWrites    cells written in one episode, all calls together
 * @param maxShift            rows or columns one insert or delete call moves
 * @param maxScanCells        cells find_text (and list_sheets) look at in one call
 * @param maxObservationChars characters of one tool answer
 */
public record SpreadsheetSettings(String recalculator, String soffice, Duration recalcTimeout, long maxWorkbookBytes, long maxUnzippedBytes,
                                  int maxReadCells, int maxWriteCells, int maxEpisodeWrites, int maxShift, int maxScanCells,
                                  int maxObservationChars) {
    public static final List<String> RECALCULATORS = List.of("poi", "libreoffice");
    public static final SpreadsheetSettings DEFAULTS = new SpreadsheetSettings("poi", "soffice", Duration.ofSeconds(120),
            25L * 1024 * 1024, 400L * 1024 * 1024, 400, 2_000, 250_000, 1_000, 1_000_000, 12_000);

    public SpreadsheetSettings {
        if (!RECALCULATORS.contains(recalculator)) {
            throw new IllegalArgumentException("recalculator must be one of " + RECALCULATORS + ", not '" + recalculator + "'");
        }
    }

    public SpreadsheetSettings withRecalculator(String r) {
        return new SpreadsheetSettings(r, soffice, recalcTimeout, maxWorkbookBytes, maxUnzippedBytes, maxReadCells, maxWriteCells,
                maxEpisodeWrites, maxShift, maxScanCells, maxObservationChars);
    }

    /** The recalculator these settings name. */
    public Recalculator recalculatorInstance() {
        return recalculator.equals("libreoffice") ? new LibreOfficeRecalculator(soffice, recalcTimeout) : new PoiRecalculator(recalcTimeout);
    }
}
