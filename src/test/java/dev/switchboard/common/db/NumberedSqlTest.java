package dev.switchboard.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The binding itself runs against PostgreSQL in ConversationServiceTest (the message write reuses ?1 and ?3). */
class NumberedSqlTest {

    @Test
    void numberedParametersBecomePositionalOnes() {
        NumberedSql sql = NumberedSql.of("update t set a = ?2 where id = ?1 and (?3 or b = ?2) returning ?10, ?1");

        assertEquals("update t set a = ? where id = ? and (? or b = ?) returning ?, ?", sql.jdbc());
        assertEquals(10, sql.parameters());
    }

    @Test
    void tooFewOrTooManyValuesAreRefusedBeforeAnythingIsBound() {
        NumberedSql sql = NumberedSql.of("select ?1, ?2");

        assertThrows(IllegalArgumentException.class, () -> sql.bind(null, "a"));
        assertThrows(IllegalArgumentException.class, () -> sql.bind(null, "a", "b", "c"));
    }
}
