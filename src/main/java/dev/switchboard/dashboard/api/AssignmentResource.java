package dev.switchboard.dashboard.api;

import dev.switchboard.common.Ids;
import dev.switchboard.common.Validation;
import dev.switchboard.common.security.Roles;
import dev.switchboard.conversation.ConversationView;
import dev.switchboard.dashboard.Assignments;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/conversations/{id}/assignment")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Conversations")
@RolesAllowed(Roles.API)
public class AssignmentResource {

    /** agentId and/or teamId; both absent or null unassigns. */
    public record Assign(UUID agentId, UUID teamId) {}

    @Inject
    WorkspaceAuth auth;

    @Inject
    Assignments assignments;

    @PUT
    @Operation(summary = "Assign the conversation to an agent and/or a team (API key only)",
            description = "agentId: an agent of the workspace (GET /api/v1/agents), teamId: one of its teams; 400 "
                    + "for any other. Records conversation.assigned on the stream and for webhooks (nothing when the "
                    + "assignee is unchanged).")
    public ConversationView assign(@PathParam("id") String id, Assign body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        return ConversationView.of(assignments.assign(workspaceId, Ids.parse(id, "conversation"), body.agentId(),
                body.teamId()));
    }

    @DELETE
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Unassign the conversation (API key only)")
    public ConversationView unassign(@PathParam("id") String id) {
        return ConversationView.of(assignments.assign(auth.apiWorkspace(), Ids.parse(id, "conversation"), null, null));
    }
}
