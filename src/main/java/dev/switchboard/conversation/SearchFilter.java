package dev.switchboard.conversation;

import java.time.Instant;
import java.util.UUID;

/**
 * One condition of a message search, as SQL on the conversation ({@code c}) or on the matching message ({@code m},
 * {@code onMessage}) with one {@code ?} for its value (none, and a null value, for a condition without one). Every
 * filter is one factory here, so a new one is one line beside these plus its request parameter.
 */
public record SearchFilter(String sql, Object value, boolean onMessage) {

    SearchFilter(String sql, Object value) {
        this(sql, value, false);
    }

    public static SearchFilter status(ConversationStatus status) {
        return new SearchFilter("c.status = ?", status.code());
    }

    public static SearchFilter label(UUID labelId) {
        return new SearchFilter("exists (select 1 from conversation_labels cl where cl.conversation_id = c.id"
                + " and cl.label_id = ?)", labelId);
    }

    /** Conversations assigned to the agent. */
    public static SearchFilter assignee(UUID agentId) {
        return new SearchFilter("c.assignee_agent_id = ?", agentId);
    }

    /** Conversations no agent is assigned to (a team may be). */
    public static SearchFilter unassigned() {
        return new SearchFilter("c.assignee_agent_id is null", null);
    }

    /** Conversations assigned to the team. */
    public static SearchFilter team(UUID teamId) {
        return new SearchFilter("c.assignee_team_id = ?", teamId);
    }

    /** Messages written at or after the instant. */
    public static SearchFilter from(Instant from) {
        return new SearchFilter("m.created_at >= ?", from, true);
    }

    /** Messages written before the instant. */
    public static SearchFilter to(Instant to) {
        return new SearchFilter("m.created_at < ?", to, true);
    }
}
