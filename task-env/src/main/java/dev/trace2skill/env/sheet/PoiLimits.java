package dev.trace2skill.env.sheet;

import org.apache.poi.openxml4j.util.ZipSecureFile;

/**
 * Apache POI's zip-bomb guards, set once for the JVM. POI refuses a part that inflates more than 100 times by default;
 * real workbooks exceed that (a SpreadsheetBench golden's styles.xml inflates 101 times), so the ratio allowed is
 * 1:1000, and no single part may inflate beyond {@value #MAX_ENTRY_BYTES} bytes.
 */
final class PoiLimits {
    static final double MIN_INFLATE_RATIO = 0.001;
    static final long MAX_ENTRY_BYTES = 256L * 1024 * 1024;

    static {
        ZipSecureFile.setMinInflateRatio(MIN_INFLATE_RATIO);
        ZipSecureFile.setMaxEntrySize(MAX_ENTRY_BYTES);
    }

    private PoiLimits() {
    }

    /** Makes sure the limits are set (class initialisation does it once). */
    static void apply() {
        // the static initialiser has run
    }
}
