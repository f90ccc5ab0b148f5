package dev.switchboard.common.db;

import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.time.LocalDate;
import java.util.List;

/** Reading native SQL results: positional parameters in, JDBC values out. For a room's queries on its own tables. */
public final class NativeRows {

    private NativeRows() {}

    @SuppressWarnings("unchecked")
    public static List<Object[]> rows(EntityManager em, String sql, Object... params) {
        return query(em, sql, params).getResultList();
    }

    public static Object single(EntityManager em, String sql, Object... params) {
        return query(em, sql, params).getSingleResult();
    }

    private static Query query(EntityManager em, String sql, Object... params) {
        Query query = em.createNativeQuery(sql);
        for (int i = 0; i < params.length; i++) {
            query.setParameter(i + 1, params[i]);
        }
        return query;
    }

    public static LocalDate day(Object value) {
        return value instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) value;
    }

    public static long num(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    public static Double doubleOrNull(Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }
}
