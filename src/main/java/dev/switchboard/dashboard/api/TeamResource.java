package dev.switchboard.dashboard.api;

import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.common.security.Roles;
import dev.switchboard.dashboard.Teams;
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
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/teams")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Teams", description = "Authorization: Bearer <API key>. Teams of the workspace's agents; conversations "
        + "assigned to a team are auto-assigned among its online members.")
@RolesAllowed(Roles.API)
public class TeamResource {

    public record CreateTeam(String name, List<UUID> memberIds) {}

    public record Members(List<UUID> memberIds) {}

    public record TeamView(UUID id, String name, List<UUID> memberIds, Instant createdAt) {

        static TeamView of(Teams.WithMembers t) {
            return new TeamView(t.team().id, t.team().name, t.memberIds(), t.team().createdAt);
        }
    }

    @Inject
    WorkspaceAuth auth;

    @Inject
    Teams teams;

    @POST
    @Operation(summary = "Create a team", description = "name: 1 to 100 characters, unique in the workspace (409); "
            + "memberIds: agents of the workspace (400 for any other id).")
    @APIResponse(responseCode = "201", description = "The team; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TeamView.class)))
    public Response create(CreateTeam body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        Teams.WithMembers t = teams.create(workspaceId, body.name(), body.memberIds() == null ? List.of() : body.memberIds());
        return Response.created(URI.create("/api/v1/teams/" + t.team().id)).entity(TeamView.of(t)).build();
    }

    @GET
    @Operation(summary = "The workspace's teams with their members, by name")
    public Items<TeamView> list() {
        return new Items<>(teams.list(auth.apiWorkspace()).stream().map(TeamView::of).toList());
    }

    @PUT
    @Path("{id}/members")
    @Operation(summary = "Replace the team's members", description = "404 for a team of another workspace.")
    public TeamView setMembers(@PathParam("id") String id, Members body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        return TeamView.of(teams.setMembers(workspaceId, Ids.parse(id, "team"),
                body.memberIds() == null ? List.of() : body.memberIds()));
    }

    @DELETE
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Delete the team", description = "Its conversations stay assigned to their agents, if any.")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("id") String id) {
        teams.delete(auth.apiWorkspace(), Ids.parse(id, "team"));
        return Response.noContent().build();
    }
}
