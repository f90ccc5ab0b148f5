package dev.switchboard.conversation;

import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.common.security.Roles;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The workspace's labels (API key); dashboard admins manage the same labels on the Labels page. */
@Path("/api/v1/labels")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Labels", description = "Authorization: Bearer <API key>. Tags agents put on conversations.")
@RolesAllowed(Roles.API)
public class LabelResource {

    /** name: 1..50 characters, unique in the workspace ignoring case; colour: #rrggbb (optional, default grey). */
    public record LabelInput(String name, String colour) {}

    @Inject
    WorkspaceAuth auth;

    @Inject
    Labels labels;

    @GET
    @Operation(summary = "The workspace's labels, by name")
    public Items<LabelView> list() {
        return new Items<>(labels.list(auth.apiWorkspace()).stream().map(LabelView::of).toList());
    }

    @POST
    @Operation(summary = "Add a label", description = "409 when the workspace has a label of that name already.")
    @APIResponse(responseCode = "201", description = "The new label; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LabelView.class)))
    public Response create(LabelInput body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        Label l = labels.create(workspaceId, body.name(), body.colour());
        return Response.created(URI.create("/api/v1/labels/" + l.id)).entity(LabelView.of(l)).build();
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Rename or recolour a label", description = "The conversations keep it.")
    public LabelView update(@PathParam("id") String id, LabelInput body) {
        UUID workspaceId = auth.apiWorkspace();
        UUID labelId = Ids.parse(id, "label");
        Validation.requireBody(body);
        return LabelView.of(labels.update(workspaceId, labelId, body.name(), body.colour()));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a label", description = "It comes off every conversation.")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("id") String id) {
        labels.delete(auth.apiWorkspace(), Ids.parse(id, "label"));
        return Response.noContent().build();
    }
}
