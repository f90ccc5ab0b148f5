package dev.switchboard.conversation;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads durable events with plain JDBC: the event hub reads from bot threads, refresh tasks and SSE requests, none of
 * which should need a persistence context.
 */
@ApplicationScoped
class DurableEventStore {

    @Inject
    AgroalDataSource dataSource;

    long maxId(UUID conversationId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "select coalesce(max(id), 0) from conversation_events where conversation_id = ?")) {
            s.setObject(1, conversationId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the event stream of conversation " + conversationId, e);
        }
    }

    /** Events with afterId < id <= upToId, in id order. */
    List<StreamEvent> between(UUID conversationId, long afterId, long upToId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("select id, type, payload from conversation_events"
                        + " where conversation_id = ? and id > ? and id <= ? order by id")) {
            s.setObject(1, conversationId);
            s.setLong(2, afterId);
            s.setLong(3, upToId);
            List<StreamEvent> events = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    events.add(new StreamEvent(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("reading the event stream of conversation " + conversationId, e);
        }
    }
}
