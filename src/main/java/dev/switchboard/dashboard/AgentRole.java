package dev.switchboard.dashboard;

import dev.switchboard.common.Coded;

/**
 * owner: the installation (every workspace, agents and owners); admin: its own workspaces' agents, FAQ and settings;
 * agent: the conversations, FAQ and canned responses of its workspaces.
 */
public enum AgentRole implements Coded {
    OWNER,
    ADMIN,
    AGENT;

    public static AgentRole fromCode(String code) {
        return Coded.fromCode(AgentRole.class, code);
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class DbConverter extends Coded.Converter<AgentRole> {
        public DbConverter() {
            super(AgentRole.class);
        }
    }
}
