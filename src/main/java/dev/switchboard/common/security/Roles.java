package dev.switchboard.common.security;

/**
 * The roles a {@link io.quarkus.security.identity.SecurityIdentity} carries; endpoints name them in
 * {@code @RolesAllowed}. Dashboard roles nest: an owner is also an admin, an admin also an agent.
 */
public final class Roles {

    /** The installation's operator, by admin token (REST) or as an owner agent (dashboard): workspaces, owners. */
    public static final String OWNER = "owner";
    /** A workspace admin in the dashboard: its workspaces' agents, FAQ and settings. */
    public static final String ADMIN = "admin";
    /** Anyone logged in to the dashboard: the conversations, FAQ and canned responses of its workspaces. */
    public static final String AGENT = "agent";
    /** A workspace's server: everything of that one workspace (API key). */
    public static final String API = "api";
    /** A workspace's widget: only what a conversation's visitor token opens (site key). */
    public static final String WIDGET = "widget";

    private Roles() {}
}
