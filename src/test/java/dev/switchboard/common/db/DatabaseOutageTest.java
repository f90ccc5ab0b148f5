package dev.switchboard.common.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;

class DatabaseOutageTest {

    @Test
    void connectionFailuresAnywhereInTheCauseChainAreOutages() {
        assertTrue(DatabaseOutage.causedBy(new PersistenceException(
                new SQLException("Connection to localhost:5432 refused", "08001"))));
        assertTrue(DatabaseOutage.causedBy(new IllegalStateException(
                new SQLException("terminating connection due to administrator command", "57P01"))));
        assertTrue(DatabaseOutage.causedBy(new SQLException("the database system is starting up", "57P03")));
        assertTrue(DatabaseOutage.causedBy(new RuntimeException(new SQLException("Sorry, acquisition timeout!"))));
        assertTrue(DatabaseOutage.causedBy(new SQLTransientConnectionException("gone")));
        assertTrue(DatabaseOutage.causedBy(new JDBCConnectionException("gone", new SQLException("x"))));
    }

    @Test
    void otherDatabaseErrorsAreNot() {
        assertFalse(DatabaseOutage.causedBy(new PersistenceException(
                new SQLException("duplicate key value violates unique constraint", "23505"))));
        assertFalse(DatabaseOutage.causedBy(new SQLException("syntax error", "42601")));
        assertFalse(DatabaseOutage.causedBy(new IllegalArgumentException("not a database error")));
    }
}
