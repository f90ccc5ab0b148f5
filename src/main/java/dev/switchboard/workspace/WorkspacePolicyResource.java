package dev.switchboard.workspace;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Validation;
import dev.switchboard.protection.WorkspacePolicies;
import dev.switchboard.protection.WorkspacePolicies.Policy;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/workspaces/{id}/policy")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Workspaces")
@RolesAllowed(Roles.OWNER)
public class WorkspacePolicyResource {

    @Inject
    WorkspaceService workspaces;

    @Inject
    WorkspacePolicies policies;

    @GET
    @Operation(summary = "The workspace's rate limits and retention period (null: the default)")
    public Policy get(@PathParam("id") String id) {
        UUID workspaceId = workspaces.get(Ids.parse(id, "workspace")).id;
        return policies.get(workspaceId);
    }

    @PUT
    @Operation(summary = "Replace the workspace's rate limits and retention period",
            description = "Limits count per hour (conversations) or minute (messages, API requests); a null field "
                    + "means the configured default. retentionDays: resolved conversations idle that long are "
                    + "deleted; null keeps them.")
    public Policy put(@PathParam("id") String id,
            Policy body) {
        Validation.requireBody(body);
        UUID workspaceId = Ids.parse(id, "workspace");
        return QuarkusTransaction.requiringNew().call(() -> {
            workspaces.get(workspaceId);
            return policies.replace(workspaceId, body);
        });
    }
}
