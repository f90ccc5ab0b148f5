package dev.switchboard.common.db;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;

/**
 * Tells a database that cannot be reached (down, restarting, pool exhausted) from a bug: the first is answered 503
 * and clears up by itself once PostgreSQL is back, the second is a 500 to investigate.
 */
public final class DatabaseOutage {

    private DatabaseOutage() {}

    public static boolean causedBy(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t.getClass().getName().equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
            if (t instanceof SQLException sql && (connectionState(sql.getSQLState())
                    || String.valueOf(sql.getMessage()).toLowerCase(Locale.ROOT).contains("acquisition timeout"))) {
                return true;
            }
        }
        return false;
    }

    /** Class 08: connection exception; 57P01-57P03: the server is shutting down or not accepting connections yet. */
    private static boolean connectionState(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }
}
