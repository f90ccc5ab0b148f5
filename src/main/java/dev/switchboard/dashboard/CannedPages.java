package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** Canned responses of a workspace: listed, each editable in place, created and deleted by its agents. */
@Path("/agent/w/{workspace}/canned")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.AGENT)
public class CannedPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance canned(Nav nav, List<CannedResponse> responses, String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    CannedResponses canned;

    @GET
    public TemplateInstance list(@PathParam("workspace") String workspace) {
        Workspace w = current.requireWorkspace(workspace);
        return Templates.canned(current.nav(w, "canned"), canned.list(w.id), null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@PathParam("workspace") String workspace,
            @FormParam("title") String title, @FormParam("content") String content) {
        Workspace w = current.requireWorkspace(workspace);
        return change(w, () -> canned.create(w.id, title, content));
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("workspace") String workspace, @PathParam("id") String id,
            @FormParam("title") String title, @FormParam("content") String content) {
        Workspace w = current.requireWorkspace(workspace);
        CannedResponse existing = canned.get(w.id, Ids.parse(id, "canned response"));
        return change(w, () -> canned.update(w.id, existing.id, title, content));
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        canned.delete(w.id, Ids.parse(id, "canned response"));
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/canned")).build();
    }

    private Response change(Workspace w, Runnable change) {
        try {
            change.run();
        } catch (ApiException e) {
            return Response.status(e.status())
                    .entity(Templates.canned(current.nav(w, "canned"), canned.list(w.id), e.detail())).build();
        }
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/canned")).build();
    }

}
