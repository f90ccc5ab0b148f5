package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.security.Roles;
import dev.switchboard.workspace.BusinessHoursService;
import dev.switchboard.workspace.BusinessHoursService.Settings;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workspace's business hours, for its admins: one line of intervals per weekday, holidays, the time zone and the
 * expected reply time; checked as the API checks them (an error names the field and keeps what was typed).
 */
@Path("/agent/w/{workspace}/hours")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.ADMIN)
public class HoursPages {

    static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    /** The form's fields as text: intervals per day separated by commas, holidays one per line. */
    public record Form(String timeZone, Map<String, String> days, String holidays, String expectedReplyMinutes,
            boolean set) {

        static Form of(Settings s) {
            Map<String, String> days = new LinkedHashMap<>();
            DAYS.forEach(d -> days.put(d, String.join(", ", s.weekly().getOrDefault(d, List.of()))));
            return new Form(s.timeZone(), days, String.join("\n", s.holidays()),
                    s.expectedReplyMinutes() == null ? "" : s.expectedReplyMinutes().toString(), true);
        }

        static Form empty() {
            Map<String, String> days = new LinkedHashMap<>();
            DAYS.forEach(d -> days.put(d, ""));
            return new Form("", days, "", "", false);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance hours(Nav nav, Form form, List<String> days, String error, boolean saved);
    }

    @Inject
    CurrentAgent current;

    @Inject
    BusinessHoursService hours;

    @GET
    public TemplateInstance page(@PathParam("workspace") String workspace,
            @jakarta.ws.rs.QueryParam("saved") boolean saved) {
        Workspace w = current.requireWorkspace(workspace);
        Form form = hours.of(w.id).map(h -> Form.of(Settings.of(h))).orElseGet(Form::empty);
        return Templates.hours(current.nav(w, "hours"), form, DAYS, null, saved);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response save(@PathParam("workspace") String workspace, @FormParam("timeZone") String timeZone,
            @FormParam("mon") String mon, @FormParam("tue") String tue, @FormParam("wed") String wed,
            @FormParam("thu") String thu, @FormParam("fri") String fri, @FormParam("sat") String sat,
            @FormParam("sun") String sun, @FormParam("holidays") String holidays,
            @FormParam("expectedReplyMinutes") String expectedReplyMinutes) {
        Workspace w = current.requireWorkspace(workspace);
        Map<String, String> typed = new LinkedHashMap<>();
        List<String> given = Arrays.asList(mon, tue, wed, thu, fri, sat, sun);
        for (int i = 0; i < DAYS.size(); i++) {
            typed.put(DAYS.get(i), given.get(i) == null ? "" : given.get(i).strip());
        }
        Form form = new Form(timeZone == null ? "" : timeZone.strip(), typed, holidays == null ? "" : holidays,
                expectedReplyMinutes == null ? "" : expectedReplyMinutes.strip(), false);
        try {
            Map<String, List<String>> weekly = new LinkedHashMap<>();
            typed.forEach((day, text) -> weekly.put(day, split(text, ",")));
            hours.replace(w.id, new Settings(form.timeZone(), weekly, split(form.holidays(), "[,\\s]+"),
                    minutes(form.expectedReplyMinutes())));
        } catch (ApiException e) {
            return Response.status(e.status())
                    .entity(Templates.hours(current.nav(w, "hours"), form, DAYS, e.detail(), false)).build();
        }
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/hours?saved=true")).build();
    }

    @POST
    @Path("remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response remove(@PathParam("workspace") String workspace) {
        Workspace w = current.requireWorkspace(workspace);
        hours.clear(w.id);
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/hours")).build();
    }

    private static List<String> split(String text, String separator) {
        return Arrays.stream(text.split(separator)).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Integer minutes(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Field 'expectedReplyMinutes' must be a whole number of minutes, or empty");
        }
    }
}
