package dev.switchboard.dashboard;

import dev.switchboard.common.Coded;

/** admin: everything, including managing agents; agent: the conversations, FAQ and canned responses of its workspaces. */
public enum AgentRole implements Coded {
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
