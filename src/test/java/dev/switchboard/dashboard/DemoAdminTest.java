package dev.switchboard.dashboard;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.demo.DemoAgentSeed;
import dev.switchboard.demo.DemoSeed;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DemoAdminTest {

    @Inject
    DemoAgentSeed seed;

    @Inject
    DashboardConfig config;

    @Test
    void theDemoAdminLogsInWithThePrintedPasswordAndSeesTheDemoShop() throws Exception {
        String password = Files.readString(seed.passwordFile()).strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(seed.passwordFile())));
        // The banner names the file, never the password (no secret at INFO).
        assertTrue(seed.banner().contains("password: in " + seed.passwordFile()), seed.banner());
        assertTrue(!seed.banner().contains(password), seed.banner());
        assertTrue(seed.banner().contains(config.demoAdminEmail()), seed.banner());

        AgentLogin admin = AgentLogin.login(config.demoAdminEmail(), password);
        admin.request().get("/agent/w/" + DemoSeed.WORKSPACE_ID + "/inbox").then().statusCode(200)
                .body(containsString("Demo Shop"));
        admin.request().get("/agent/admin/agents").then().statusCode(200).body(containsString(config.demoAdminEmail()));
    }
}
