package io.pigateway.protocol;

/**
 * The rule for device ids and sensor names, shared by both sides: 1 to 64 characters from
 * {@code A-Z a-z 0-9 . _ - :}. Names stay readable in logs and safe in file names and dashboards.
 */
public final class Identifiers {
    public static final int MAX_LENGTH = 64;

    private Identifiers() {
    }

    /** {@code null} if {@code value} is a valid identifier, else a sentence saying why not. */
    public static String problem(String kind, String value) {
        if (value == null || value.isEmpty()) {
            return kind + " is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return kind + " is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        // By code point, so that a character outside the BMP is named as itself (U+1F600), not as the
        // first half of its UTF-16 surrogate pair; the index counts characters, not UTF-16 units.
        int index = 0;
        for (int i = 0; i < value.length(); index++) {
            int c = value.codePointAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == ':';
            if (!ok) {
                return String.format("%s contains character U+%04X at index %d; allowed are A-Z a-z 0-9 . _ - :",
                        kind, c, index);
            }
            i += Character.charCount(c);
        }
        return null;
    }

    /** Throws {@link IllegalArgumentException} with {@link #problem}'s sentence unless valid. */
    public static String require(String kind, String value) {
        String p = problem(kind, value);
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
        return value;
    }
}
