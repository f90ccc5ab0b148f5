package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** An agent belongs to a team. */
@Entity
@Table(name = "team_members")
@IdClass(TeamMember.Key.class)
public class TeamMember extends PanacheEntityBase {

    /** The composite primary key, as JPA wants it. */
    public static class Key implements Serializable {
        public UUID teamId;
        public UUID agentId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(teamId, k.teamId) && Objects.equals(agentId, k.agentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(teamId, agentId);
        }
    }

    @Id
    public UUID teamId;
    @Id
    public UUID agentId;
}
