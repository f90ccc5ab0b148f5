package dev.switchboard.dashboard;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workspace admins rule their own workspaces only; installation owners rule all (issue 17). */
@QuarkusTest
class WorkspaceAdminsTest {

    @Inject
    AgentService agents;

    TestWorkspace a;
    TestWorkspace b;
    UUID aId;
    UUID bId;

    @BeforeEach
    void setUp() {
        NoBot.install();
        a = TestWorkspaces.create();
        b = TestWorkspaces.create();
        aId = UUID.fromString(a.id());
        bId = UUID.fromString(b.id());
    }

    @Test
    void anAdminOfBDoesNotSeeAsAgentsOrWorkspace() {
        Agent ofA = agents.create("only-a-" + UUID.randomUUID() + "@example.com", "Only A", AgentLogin.PASSWORD,
                AgentRole.AGENT, List.of(aId)).agent();
        AgentLogin adminB = AgentLogin.newAgent(agents, AgentRole.ADMIN, bId);
        adminB.request().get("/agent/admin/agents").then().statusCode(200)
                .body(not(containsString(ofA.email))).body(not(containsString(a.id())))
                .body(containsString(b.id()));
    }

    @Test
    void anAdminOfBCannotAddItselfOrOthersToA() {
        Session session = newAgent(AgentRole.ADMIN, bId);
        AgentLogin adminB = session.login();
        UUID self = session.id();
        adminB.form().formParam("displayName", "B admin").formParam("role", "admin").formParam("workspace", a.id())
                .formParam("workspace", b.id()).post("/agent/admin/agents/" + self).then().statusCode(404);
        adminB.form().formParam("email", "new-" + UUID.randomUUID() + "@example.com").formParam("displayName", "N")
                .formParam("role", "agent").formParam("workspace", a.id()).post("/agent/admin/agents")
                .then().statusCode(404);
        assertEquals(Set.of(bId), memberships(self));
        // and so A's conversations stay closed to it
        String theirs = TestWorkspaces.startWithApiKey(a);
        adminB.request().get("/agent/conversations/" + theirs).then().statusCode(404);
        adminB.request().get("/agent/w/" + a.id() + "/inbox").then().statusCode(404);
    }

    @Test
    void anAdminOfBCannotDemoteOrRemoveAdminsElsewhereNorMakeOwners() {
        Agent adminA = agents.create("admin-a-" + UUID.randomUUID() + "@example.com", "Admin A",
                AgentLogin.PASSWORD, AgentRole.ADMIN, List.of(aId)).agent();
        Agent adminAB = agents.create("admin-ab-" + UUID.randomUUID() + "@example.com", "Admin AB",
                AgentLogin.PASSWORD, AgentRole.ADMIN, List.of(aId, bId)).agent();
        Session session = newAgent(AgentRole.ADMIN, bId);
        AgentLogin adminB = session.login();
        adminB.form().formParam("displayName", "x").formParam("role", "agent").formParam("workspace", b.id())
                .post("/agent/admin/agents/" + adminA.id).then().statusCode(404);
        adminB.form().formParam("displayName", "x").formParam("role", "agent").formParam("workspace", b.id())
                .post("/agent/admin/agents/" + adminAB.id).then().statusCode(403);
        adminB.form().post("/agent/admin/agents/" + adminAB.id + "/delete").then().statusCode(403);
        adminB.form().post("/agent/admin/agents/" + adminA.id + "/delete").then().statusCode(404);
        assertEquals(AgentRole.ADMIN, role(adminA.id));
        assertEquals(AgentRole.ADMIN, role(adminAB.id));
        assertEquals(Set.of(aId, bId), memberships(adminAB.id));

        adminB.form().formParam("email", "owner-" + UUID.randomUUID() + "@example.com").formParam("displayName", "O")
                .formParam("role", "owner").formParam("workspace", b.id()).post("/agent/admin/agents")
                .then().statusCode(403);
        UUID self = session.id();
        adminB.form().formParam("displayName", "B").formParam("role", "owner").formParam("workspace", b.id())
                .post("/agent/admin/agents/" + self).then().statusCode(409);
        assertEquals(AgentRole.ADMIN, role(self));
    }

    @Test
    void anAdminManagesAgentsOfItsOwnWorkspaceAndAnOwnerManagesEveryone() {
        Agent agentB = agents.create("agent-b-" + UUID.randomUUID() + "@example.com", "Agent B",
                AgentLogin.PASSWORD, AgentRole.AGENT, List.of(bId)).agent();
        AgentLogin adminB = AgentLogin.newAgent(agents, AgentRole.ADMIN, bId);
        adminB.form().formParam("displayName", "Agent B2").formParam("role", "admin").formParam("workspace", b.id())
                .post("/agent/admin/agents/" + agentB.id).then().statusCode(303);
        assertEquals(AgentRole.ADMIN, role(agentB.id));

        AgentLogin owner = AgentLogin.newAgent(agents, AgentRole.OWNER);
        owner.request().get("/agent/admin/agents").then().statusCode(200).body(containsString(a.id()))
                .body(containsString(agentB.email));
        owner.form().formParam("displayName", "Agent B2").formParam("role", "agent").formParam("workspace", a.id())
                .post("/agent/admin/agents/" + agentB.id).then().statusCode(303);
        assertEquals(AgentRole.AGENT, role(agentB.id));
        assertEquals(Set.of(aId), memberships(agentB.id));
    }

    private record Session(UUID id, AgentLogin login) {}

    private Session newAgent(AgentRole role, UUID... workspaces) {
        String email = "agent-" + UUID.randomUUID() + "@example.com";
        UUID id = agents.create(email, "Agent", AgentLogin.PASSWORD, role, List.of(workspaces)).agent().id;
        return new Session(id, AgentLogin.login(email, AgentLogin.PASSWORD));
    }

    /** Read in a transaction of its own: the test's own session would return the entity it loaded before. */
    private static AgentRole role(UUID agentId) {
        return QuarkusTransaction.requiringNew().call(() -> Agent.<Agent>findById(agentId).role);
    }

    private Set<UUID> memberships(UUID agentId) {
        return QuarkusTransaction.requiringNew().call(() -> agents.workspaces(agentId).stream().map(w -> w.id)
                .collect(Collectors.toSet()));
    }
}
