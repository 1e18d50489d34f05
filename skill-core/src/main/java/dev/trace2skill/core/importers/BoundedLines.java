package dev.trace2skill.core.importers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into lines without ever holding more than {@code max} bytes of one: a line over the limit is
 * counted, not kept. Each run of bytes up to a newline is copied in one call (a per-byte
 * {@code ByteArrayOutputStream.write}, which is synchronized, once cost about half of trace-ingest's CPU per trajectory).
 */
final class BoundedLines {
    private BoundedLines() {
    }

    interface Sink {
        /**
         * @param line    the line's bytes without its newline, or null when the line is over the limit
         * @param bytes   the line's length in bytes without its newline
         * @param newline whether a newline ended it (false only for a last line without one)
         */
        void line(ByteArrayOutputStream line, long bytes, boolean newline);
    }

    static void read(InputStream in, long max, Sink sink) throws IOException {
        byte[] buf = new byte[64 * 1024];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long lineBytes = 0;
        boolean overflow = false;
        int n;
        while ((n = in.read(buf)) >= 0) {
            int start = 0;
            while (start < n) {
                int nl = start;
                while (nl < n && buf[nl] != '\n') {
                    nl++;
                }
                int len = nl - start;
                lineBytes += len;
                if (!overflow) {
                    if (lineBytes > max) {
                        overflow = true;
                        line.reset();
                    } else {
                        line.write(buf, start, len);
                    }
                }
                if (nl == n) {
                    break;
                }
                sink.line(overflow ? null : line, lineBytes, true);
                line.reset();
                lineBytes = 0;
                overflow = false;
                start = nl + 1;
            }
        }
        if (lineBytes > 0) {
            sink.line(overflow ? null : line, lineBytes, false);
        }
    }
}
