package org.edgesbc.policy.scan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The fingerprints a request is checked against, grouped by header so that a request's headers are each read and
 * lower-cased once. The shipped list ({@code scanner-fingerprints.tsv}, from public honeypot and abuse reports)
 * can be extended or replaced by the operator's. Immutable.
 */
public final class ScannerFingerprints {
    private static final String SHIPPED_FILE = "scanner-fingerprints.tsv";
    private static final ScannerFingerprints SHIPPED = new ScannerFingerprints(readShipped());

    private final List<ScannerFingerprint> all;
    private final Map<ScannerFingerprint.Header, List<ScannerFingerprint>> byHeader;

    public ScannerFingerprints(List<ScannerFingerprint> fingerprints) {
        this.all = List.copyOf(fingerprints);
        Map<ScannerFingerprint.Header, List<ScannerFingerprint>> grouped =
                new EnumMap<>(ScannerFingerprint.Header.class);
        for (ScannerFingerprint fingerprint : all) {
            grouped.computeIfAbsent(fingerprint.header(), h -> new ArrayList<>()).add(fingerprint);
        }
        grouped.replaceAll((header, list) -> List.copyOf(list));
        this.byHeader = grouped;
    }

    /** The shipped list. */
    public static ScannerFingerprints shipped() {
        return SHIPPED;
    }

    /** The shipped list followed by {@code more}. */
    public ScannerFingerprints and(List<ScannerFingerprint> more) {
        List<ScannerFingerprint> joined = new ArrayList<>(all);
        joined.addAll(more);
        return new ScannerFingerprints(joined);
    }

    public List<ScannerFingerprint> list() {
        return all;
    }

    /**
     * The first fingerprint found in a request, or null.
     *
     * @param values every value of a header in the request (empty when it has none)
     */
    public ScannerFingerprint match(Function<ScannerFingerprint.Header, List<String>> values) {
        for (Map.Entry<ScannerFingerprint.Header, List<ScannerFingerprint>> entry : byHeader.entrySet()) {
            for (String value : values.apply(entry.getKey())) {
                String lower = value.toLowerCase(Locale.ROOT);
                for (ScannerFingerprint fingerprint : entry.getValue()) {
                    if (lower.contains(fingerprint.contains())) {
                        return fingerprint;
                    }
                }
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScannerFingerprints that && all.equals(that.all);
    }

    @Override
    public int hashCode() {
        return all.hashCode();
    }

    @Override
    public String toString() {
        return all.size() + " scanner fingerprints";
    }

    private static List<ScannerFingerprint> readShipped() {
        try (InputStream in = ScannerFingerprints.class.getResourceAsStream(SHIPPED_FILE)) {
            if (in == null) {
                throw new IllegalStateException(SHIPPED_FILE + " is missing from the jar");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SHIPPED_FILE, e);
        }
    }

    /** Lines {@code header<TAB>substring<TAB>tool}; blank lines and {@code #} comments skipped. */
    static List<ScannerFingerprint> parse(BufferedReader lines) throws IOException {
        List<ScannerFingerprint> fingerprints = new ArrayList<>();
        int number = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            ScannerFingerprint.Header header = fields.length == 3 ? ScannerFingerprint.Header.fromKey(fields[0]) : null;
            if (header == null || fields[1].isEmpty()) {
                throw new IllegalStateException(SHIPPED_FILE + ":" + number + ": not header<TAB>substring<TAB>tool");
            }
            fingerprints.add(new ScannerFingerprint(header, fields[1], fields[2]));
        }
        return fingerprints;
    }
}
