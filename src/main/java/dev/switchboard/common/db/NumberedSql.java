package dev.switchboard.common.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A native statement written with numbered parameters ({@code ?1}, {@code ?2}, each usable several times, as JPA
 * writes them) run over plain JDBC, which numbers every {@code ?} by its position. For the few hot statements that
 * skip Hibernate and JTA (one round trip in autocommit). The SQL must have no {@code ?} of its own (jsonb operators,
 * string literals).
 */
public final class NumberedSql {

    private static final Pattern NUMBERED = Pattern.compile("\\?(\\d+)");

    private final String jdbc;
    private final int[] order;
    private final int parameters;

    private NumberedSql(String jdbc, int[] order) {
        this.jdbc = jdbc;
        this.order = order;
        this.parameters = Arrays.stream(order).max().orElse(0);
    }

    public static NumberedSql of(String sql) {
        Matcher numbered = NUMBERED.matcher(sql);
        int[] order = numbered.results().mapToInt(m -> Integer.parseInt(m.group(1))).toArray();
        return new NumberedSql(numbered.replaceAll("?"), order);
    }

    /** The SQL with JDBC's positional parameters. */
    public String jdbc() {
        return jdbc;
    }

    /** How many distinct numbered parameters {@link #bind} expects: the highest number used. */
    public int parameters() {
        return parameters;
    }

    /** Sets {@code values[n - 1]} wherever {@code ?n} stood. */
    public void bind(PreparedStatement statement, Object... values) throws SQLException {
        if (values.length != parameters) {
            throw new IllegalArgumentException("expected " + parameters + " values, got " + values.length);
        }
        for (int i = 0; i < order.length; i++) {
            statement.setObject(i + 1, values[order[i] - 1]);
        }
    }

    /** The statement prepared on {@code connection} with its values bound. */
    public PreparedStatement prepare(Connection connection, Object... values) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(jdbc);
        try {
            bind(statement, values);
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }
}
