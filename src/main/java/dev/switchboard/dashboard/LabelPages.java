package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.security.Roles;
import dev.switchboard.conversation.Label;
import dev.switchboard.conversation.Labels;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
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

/** A workspace's labels: its admins add, rename, recolour and delete them; agents put them on conversations. */
@Path("/agent/w/{workspace}/labels")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.ADMIN)
public class LabelPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance labels(Nav nav, List<Label> labels, String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    Labels labels;

    @GET
    public TemplateInstance list(@PathParam("workspace") String workspace) {
        Workspace w = current.requireWorkspace(workspace);
        return Templates.labels(current.nav(w, "labels"), labels.list(w.id), null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@PathParam("workspace") String workspace, @FormParam("name") String name,
            @FormParam("colour") String colour) {
        Workspace w = current.requireWorkspace(workspace);
        return change(w, () -> labels.create(w.id, name, colour));
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("workspace") String workspace, @PathParam("id") String id,
            @FormParam("name") String name, @FormParam("colour") String colour) {
        Workspace w = current.requireWorkspace(workspace);
        Label existing = labels.get(w.id, Ids.parse(id, "label"));
        return change(w, () -> labels.update(w.id, existing.id, name, colour));
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        labels.delete(w.id, Ids.parse(id, "label"));
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/labels")).build();
    }

    /** Back to the list, or the list again with the refusal (a name taken, a colour that is none). */
    private Response change(Workspace w, Runnable change) {
        try {
            change.run();
        } catch (ApiException e) {
            return Response.status(e.status())
                    .entity(Templates.labels(current.nav(w, "labels"), labels.list(w.id), e.detail())).build();
        }
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/labels")).build();
    }
}
