package dev.switchboard.conversation;

import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The labels on one conversation (API key): put on with PUT, taken off with DELETE; both idempotent. */
@Path("/api/v1/conversations/{id}/labels")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Labels")
@RolesAllowed(Roles.API)
public class ConversationLabelResource {

    @Inject
    ConversationAccess access;

    @Inject
    Labels labels;

    @GET
    @Operation(summary = "The conversation's labels, by name")
    public Items<LabelView> list(@BeanParam ConversationCredentials credentials, @PathParam("id") String id) {
        return items(labels.of(access.accessible(credentials, id).id));
    }

    @PUT
    @Path("{labelId}")
    @Consumes(MediaType.WILDCARD) // no body
    @Operation(summary = "Put a label on the conversation",
            description = "Webhooks subscribed to conversation.labels_changed hear of it (not when it was on "
                    + "already). 404 for a label of another workspace.")
    public Items<LabelView> attach(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @PathParam("labelId") String labelId) {
        Conversation c = access.accessible(credentials, id);
        return items(labels.attach(c.id, Ids.parse(labelId, "label")));
    }

    @DELETE
    @Path("{labelId}")
    @Operation(summary = "Take a label off the conversation")
    public Items<LabelView> detach(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @PathParam("labelId") String labelId) {
        Conversation c = access.accessible(credentials, id);
        return items(labels.detach(c.id, Ids.parse(labelId, "label")));
    }

    private static Items<LabelView> items(List<Label> list) {
        return new Items<>(list.stream().map(LabelView::of).toList());
    }
}
