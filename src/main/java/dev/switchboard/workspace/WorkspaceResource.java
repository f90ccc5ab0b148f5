package dev.switchboard.workspace;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/workspaces")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Workspaces", description = "Admin API: Authorization: Bearer <admin token>")
@RolesAllowed(Roles.OWNER)
public class WorkspaceResource {

    public record CreateWorkspace(String name, List<String> allowedOrigins) {}

    /** Fields left out (null) stay as they are. */
    public record UpdateWorkspace(String name, List<String> allowedOrigins) {}

    public record WorkspaceView(UUID id, String name, String siteKey, List<String> allowedOrigins, Instant createdAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String apiKey) {

        static WorkspaceView of(Workspace w, String apiKey) {
            return new WorkspaceView(w.id, w.name, w.siteKey, List.of(w.allowedOrigins), w.createdAt, apiKey);
        }
    }

    public record NewApiKey(String apiKey) {}

    public record IdentitySecret(String identitySecret) {}

    @Inject
    WorkspaceService workspaces;

    @Inject
    VisitorIdentity identity;

    @POST
    @Operation(summary = "Create a workspace", description = "The response is the only place the API key is shown.")
    @APIResponse(responseCode = "201", description = "The new workspace with its API key; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkspaceView.class)))
    public Response create(CreateWorkspace body) {
        Validation.requireBody(body);
        WorkspaceService.Created created = workspaces.create(body.name(), body.allowedOrigins());
        return Response.created(URI.create("/api/v1/workspaces/" + created.workspace().id))
                .entity(WorkspaceView.of(created.workspace(), created.apiKey())).build();
    }

    @GET
    public Items<WorkspaceView> list() {
        return new Items<>(workspaces.list().stream().map(w -> WorkspaceView.of(w, null)).toList());
    }

    @GET
    @Path("{id}")
    public WorkspaceView get(@PathParam("id") String id) {
        return WorkspaceView.of(workspaces.get(Ids.parse(id, "workspace")), null);
    }

    @PATCH
    @Path("{id}")
    @Operation(summary = "Change the name or the allowed widget origins")
    public WorkspaceView update(@PathParam("id") String id, UpdateWorkspace body) {
        Validation.requireBody(body);
        return WorkspaceView.of(workspaces.update(Ids.parse(id, "workspace"), body.name(), body.allowedOrigins()),
                null);
    }

    @POST
    @Path("{id}/api-key/rotate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Rotate the API key", description = "Returns a new key, shown only here; earlier keys stop working at once.")
    public NewApiKey rotateApiKey(@PathParam("id") String id) {
        return new NewApiKey(workspaces.rotateApiKey(Ids.parse(id, "workspace")));
    }

    @GET
    @Path("{id}/identity-secret")
    @Operation(summary = "The identity secret that signs visitor ids for the widget's identify()",
            description = "Created on first read. The business's server sends hash = hex HMAC-SHA256(id, secret) "
                    + "to its pages; keep the secret on the server.")
    public IdentitySecret identitySecret(@PathParam("id") String id) {
        return new IdentitySecret(identity.secret(Ids.parse(id, "workspace")));
    }

    @POST
    @Path("{id}/identity-secret/rotate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Rotate the identity secret", description = "Hashes made with the old secret stop verifying at once.")
    public IdentitySecret rotateIdentitySecret(@PathParam("id") String id) {
        return new IdentitySecret(identity.rotate(Ids.parse(id, "workspace")));
    }
}
