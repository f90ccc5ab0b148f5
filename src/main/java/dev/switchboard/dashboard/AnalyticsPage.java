package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The workspace's analytics: charts as inline SVG, computed by {@link Analytics}. */
@Path("/agent/w/{workspace}/analytics")
@RolesAllowed(Roles.AGENT)
public class AnalyticsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance analytics(Nav nav, Analytics.Report report, List<Analytics.AgentRow> agents);
    }

    @Inject
    CurrentAgent current;

    @Inject
    Analytics analytics;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("workspace") String workspace,
            @QueryParam("days") @DefaultValue("14") int days) {
        Workspace w = current.requireWorkspace(workspace);
        if (days < 1 || days > Analytics.MAX_DAYS) {
            throw ApiException.badRequest("Parameter 'days' must be between 1 and " + Analytics.MAX_DAYS);
        }
        return Templates.analytics(current.nav(w, "analytics"), analytics.report(w.id, days),
                analytics.perAgent(w.id, days));
    }
}
