package dev.switchboard.common.security;

/** Request values as they may appear in a log line: control characters escaped, so no one forges a line. */
public final class LogSafe {

    private static final int MAX = 200;

    private LogSafe() {}

    public static String path(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), MAX) + 8);
        for (int i = 0; i < value.length() && i < MAX; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return value.length() > MAX ? b.append("...").toString() : b.toString();
    }
}
