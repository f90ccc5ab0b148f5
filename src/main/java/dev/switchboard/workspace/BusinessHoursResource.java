package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Validation;
import dev.switchboard.common.security.Roles;
import dev.switchboard.workspace.BusinessHoursService.Settings;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/workspaces/{id}/hours")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Workspaces")
@RolesAllowed(Roles.OWNER)
public class BusinessHoursResource {

    @Inject
    WorkspaceService workspaces;

    @Inject
    BusinessHoursService hours;

    @GET
    @Operation(summary = "The workspace's business hours", description = "404 while none are set: the team counts "
            + "as always in.")
    @APIResponse(responseCode = "200", description = "The hours")
    @APIResponse(responseCode = "404", description = "No such workspace, or no hours set")
    public Settings get(@PathParam("id") String id) {
        UUID workspaceId = workspaces.get(Ids.parse(id, "workspace")).id;
        return hours.of(workspaceId).map(Settings::of)
                .orElseThrow(() -> ApiException.notFound("Workspace " + workspaceId + " has no business hours"));
    }

    @PUT
    @Operation(summary = "Set the workspace's business hours",
            description = "timeZone: an IANA zone (Europe/Berlin); weekly: \"mon\" to \"sun\", each a list of "
                    + "\"HH:MM-HH:MM\" intervals in that zone (24:00 ends the day; days left out are closed); "
                    + "holidays: ISO dates closed all day; expectedReplyMinutes: shown in the widget (null: the "
                    + "median first response of agents over the last 30 days). Outside the hours the widget says "
                    + "when the team is back and offers to leave an e-mail address; handoffs carry the reason "
                    + "outside_business_hours.")
    @APIResponse(responseCode = "200", description = "The hours as stored")
    @APIResponse(responseCode = "400", description = "A field is missing or malformed; the detail names it")
    public Settings put(@PathParam("id") String id, Settings body) {
        Validation.requireBody(body);
        UUID workspaceId = workspaces.get(Ids.parse(id, "workspace")).id;
        return Settings.of(hours.replace(workspaceId, body));
    }

    @DELETE
    @Operation(summary = "Remove the workspace's business hours (always open again)")
    @APIResponse(responseCode = "204", description = "Removed, or there were none")
    public Response delete(@PathParam("id") String id) {
        hours.clear(workspaces.get(Ids.parse(id, "workspace")).id);
        return Response.noContent().build();
    }
}
