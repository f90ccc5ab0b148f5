package dev.switchboard.dashboard;

import dev.switchboard.common.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Which agents are online: their dashboard page sends a heartbeat, stored in PostgreSQL so every replica's
 * auto-assignment sees it; no heartbeat within the timeout (on the Clock bean's time) is offline.
 */
@ApplicationScoped
public class Presence {

    @Inject
    Clock clock;

    @Inject
    AssignmentConfig config;

    @Transactional
    public void heartbeat(UUID agentId) {
        // An upsert: two tabs of one agent beat at once.
        AgentPresence.getEntityManager().createNativeQuery("""
                insert into agent_presence (agent_id, last_seen_at) values (?1, ?2)
                on conflict (agent_id) do update set last_seen_at = excluded.last_seen_at""")
                .setParameter(1, agentId).setParameter(2, Times.now(clock)).executeUpdate();
    }

    /** Logging out goes offline at once (the page's last heartbeat would otherwise count until the timeout). */
    @Transactional
    public void offline(UUID agentId) {
        AgentPresence.<AgentPresence>findByIdOptional(agentId).ifPresent(p -> p.lastSeenAt = null);
    }

    @Transactional
    public boolean online(UUID agentId) {
        return !online(Set.of(agentId)).isEmpty();
    }

    /** Those of the agents who are online. */
    @Transactional
    public Set<UUID> online(Collection<UUID> agentIds) {
        if (agentIds.isEmpty()) {
            return Set.of();
        }
        Instant since = Times.now(clock).minus(config.presenceTimeout());
        return AgentPresence.<AgentPresence>list("agentId in ?1 and lastSeenAt >= ?2", agentIds, since).stream()
                .map(p -> p.agentId).collect(Collectors.toSet());
    }

    /** Auto-assignment chose the agent now: the next handoff goes to the next agent in turn. */
    void assigned(UUID agentId) {
        AgentPresence.getEntityManager().createNativeQuery("""
                insert into agent_presence (agent_id, last_assigned_at) values (?1, ?2)
                on conflict (agent_id) do update set last_assigned_at = excluded.last_assigned_at""")
                .setParameter(1, agentId).setParameter(2, Times.now(clock)).executeUpdate();
    }

    /** When auto-assignment last chose each of the agents (absent: never). */
    java.util.Map<UUID, Instant> lastAssigned(Collection<UUID> agentIds) {
        return AgentPresence.<AgentPresence>list("agentId in ?1 and lastAssignedAt is not null", agentIds).stream()
                .collect(Collectors.toMap(p -> p.agentId, p -> p.lastAssignedAt));
    }
}
