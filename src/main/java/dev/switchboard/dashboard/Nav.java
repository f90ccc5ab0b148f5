package dev.switchboard.dashboard;

import java.util.List;
import java.util.UUID;

/**
 * What every dashboard page's frame shows: who is logged in, the workspaces to switch between, the current one and
 * section, and the session's CSRF token for the page's forms.
 */
public record Nav(String agentName, boolean admin, String csrf, List<WorkspaceLink> workspaces, UUID current,
        String currentName, String section) {

    public record WorkspaceLink(UUID id, String name) {}

    public boolean in(String s) {
        return section.equals(s);
    }
}
