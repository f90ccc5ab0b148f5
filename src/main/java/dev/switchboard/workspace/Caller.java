package dev.switchboard.workspace;

import java.util.UUID;

/**
 * Who is calling on behalf of a workspace: its server (API key: everything of the workspace) or its widget (site
 * key: only what the visitor token of a conversation opens).
 */
public record Caller(UUID workspaceId, boolean viaApiKey) {}
