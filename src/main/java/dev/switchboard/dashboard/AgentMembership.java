package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** An agent belongs to a workspace: sees its conversations, FAQ and canned responses. */
@Entity
@Table(name = "agent_workspaces")
@IdClass(AgentMembership.Key.class)
public class AgentMembership extends PanacheEntityBase {

    /** The composite primary key, as JPA wants it: a class with the id fields, equals and hashCode. */
    public static class Key implements Serializable {
        public UUID agentId;
        public UUID workspaceId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(agentId, k.agentId) && Objects.equals(workspaceId, k.workspaceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(agentId, workspaceId);
        }
    }

    @Id
    public UUID agentId;
    @Id
    public UUID workspaceId;
}
