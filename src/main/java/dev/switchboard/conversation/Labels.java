package dev.switchboard.conversation;

import static dev.switchboard.common.db.NativeRows.rows;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import dev.switchboard.webhook.WebhookEvents;
import dev.switchboard.webhook.WebhookOutbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A workspace's labels (created, renamed, recoloured and deleted by its admins) and which conversations carry them.
 * Putting a label on or taking it off locks the conversation's row like every other change of a conversation, and
 * tells subscribed webhooks ({@link WebhookEvents#CONVERSATION_LABELS_CHANGED}) in the same transaction.
 */
@ApplicationScoped
public class Labels {

    public static final int MAX_NAME = 50;
    /** Enough for any team's scheme; a list longer than this is a runaway script. */
    public static final int MAX_PER_WORKSPACE = 200;
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final String DEFAULT_COLOUR = "#6b7280";

    /** The payload of conversation.labels_changed: the labels now on the conversation, by name. */
    record LabelsChanged(UUID conversationId, List<String> labels, String added, String removed) {}

    @Inject
    Clock clock;

    @Inject
    WebhookOutbox webhooks;

    /** The workspace's labels by name. */
    public List<Label> list(UUID workspaceId) {
        return Label.list("workspaceId = ?1 order by lower(name), id", workspaceId);
    }

    /** The label, or a 404 when it is not one of the workspace's. */
    public Label get(UUID workspaceId, UUID labelId) {
        return Label.<Label>findByIdOptional(labelId).filter(l -> l.workspaceId.equals(workspaceId))
                .orElseThrow(() -> ApiException.notFound("No label with id '" + labelId + "'"));
    }

    /** @param colour #rrggbb, or null/blank for a neutral grey */
    @Transactional
    public Label create(UUID workspaceId, String name, String colour) {
        if (Label.count("workspaceId", workspaceId) >= MAX_PER_WORKSPACE) {
            throw ApiException.conflict("The workspace has " + MAX_PER_WORKSPACE + " labels, the most it may have");
        }
        Label l = new Label();
        l.id = UUID.randomUUID();
        l.workspaceId = workspaceId;
        l.name = uniqueName(workspaceId, null, name);
        l.colour = colour(colour);
        l.createdAt = Times.now(clock);
        l.persist();
        return l;
    }

    @Transactional
    public Label update(UUID workspaceId, UUID labelId, String name, String colour) {
        Label l = get(workspaceId, labelId);
        l.name = uniqueName(workspaceId, labelId, name);
        l.colour = colour(colour);
        return l;
    }

    /** Deletes the label; it comes off every conversation (on delete cascade). */
    @Transactional
    public void delete(UUID workspaceId, UUID labelId) {
        get(workspaceId, labelId).delete();
    }

    /** The conversation's labels by name. */
    @Transactional
    public List<Label> of(UUID conversationId) {
        return Label.list("id in (select cl.labelId from ConversationLabel cl where cl.conversationId = ?1)"
                + " order by lower(name), id", conversationId);
    }

    /** The labels of each of these conversations (absent: none), for lists that show them. */
    @Transactional
    public Map<UUID, List<LabelView>> ofConversations(Collection<UUID> conversationIds) {
        Map<UUID, List<LabelView>> byConversation = new HashMap<>();
        if (conversationIds.isEmpty()) {
            return byConversation;
        }
        rows(Label.getEntityManager(), """
                select cl.conversation_id, l.id, l.name, l.colour from conversation_labels cl
                  join labels l on l.id = cl.label_id
                 where cl.conversation_id in (?1) order by lower(l.name), l.id""", List.copyOf(conversationIds))
                .forEach(r -> byConversation.computeIfAbsent((UUID) r[0], k -> new ArrayList<>())
                        .add(new LabelView((UUID) r[1], (String) r[2], (String) r[3])));
        return byConversation;
    }

    /** Names of the conversation's labels, for event payloads. */
    List<String> namesOf(UUID conversationId) {
        return of(conversationId).stream().map(l -> l.name).toList();
    }

    /** Puts the workspace's label on the conversation (nothing changes when it is already on). */
    @Transactional
    public List<Label> attach(UUID conversationId, UUID labelId) {
        Conversation c = lock(conversationId);
        Label label = get(c.workspaceId, labelId);
        if (ConversationLabel.count("conversationId = ?1 and labelId = ?2", conversationId, labelId) == 0) {
            ConversationLabel cl = new ConversationLabel();
            cl.conversationId = conversationId;
            cl.labelId = labelId;
            cl.createdAt = Times.now(clock);
            cl.persist();
            changed(c, label.name, null);
        }
        return of(conversationId);
    }

    /** Takes the label off the conversation (nothing changes when it is not on). */
    @Transactional
    public List<Label> detach(UUID conversationId, UUID labelId) {
        Conversation c = lock(conversationId);
        Label label = get(c.workspaceId, labelId);
        if (ConversationLabel.delete("conversationId = ?1 and labelId = ?2", conversationId, labelId) > 0) {
            changed(c, null, label.name);
        }
        return of(conversationId);
    }

    private void changed(Conversation c, String added, String removed) {
        webhooks.record(c.workspaceId, c.id, WebhookEvents.CONVERSATION_LABELS_CHANGED,
                new LabelsChanged(c.id, namesOf(c.id), added, removed));
    }

    private static Conversation lock(UUID conversationId) {
        Conversation c = Conversation.findById(conversationId, LockModeType.PESSIMISTIC_WRITE);
        if (c == null) {
            throw new NoSuchElementException("no conversation " + conversationId);
        }
        return c;
    }

    private static String uniqueName(UUID workspaceId, UUID self, String name) {
        String n = Validation.requireText(name, "name", MAX_NAME).strip();
        boolean taken = Label.<Label>stream("workspaceId = ?1 and lower(name) = ?2", workspaceId,
                n.toLowerCase(Locale.ROOT)).anyMatch(l -> !l.id.equals(self));
        if (taken) {
            throw ApiException.conflict("The workspace already has a label named '" + n + "'");
        }
        return n;
    }

    private static String colour(String colour) {
        if (colour == null || colour.isBlank()) {
            return DEFAULT_COLOUR;
        }
        if (!COLOUR.matcher(colour.strip()).matches()) {
            throw ApiException.badRequest("Field 'colour' must be #rrggbb (hex), not '"
                    + (colour.length() > 20 ? colour.substring(0, 20) + "…" : colour) + "'");
        }
        return colour.strip().toLowerCase(Locale.ROOT);
    }
}
