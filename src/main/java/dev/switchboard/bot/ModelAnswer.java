package dev.switchboard.bot;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One streamed model generation's figures (see {@link ModelAnswerLog}). */
@Entity
@Table(name = "model_answers")
public class ModelAnswer extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID conversationId;
    /** The conversation's workspace, so analytics reads these rows without the conversation room's tables. */
    public UUID workspaceId;
    public String model;
    /** answered, handoff or abandoned. */
    public String outcome;
    public Double ttftMs;
    public double durationMs;
    public Integer completionTokens;
    public Double acceptanceLength;
    public Instant createdAt;
}
