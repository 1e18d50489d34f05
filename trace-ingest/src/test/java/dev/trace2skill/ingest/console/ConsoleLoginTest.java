package dev.trace2skill.ingest.console;

import dev.trace2skill.ingest.IngestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/**
 * The console's login and session: pages need a session, the session is an HttpOnly, SameSite=Strict cookie that is not
 * the token, changes need the session's CSRF token, the login never redirects off the console, trajectory and skill
 * text is escaped, and htmx is served by the app itself.
 */
@QuarkusTest
class ConsoleLoginTest {
    static String login() {
        Response r = given().redirects().follow(false).contentType(ContentType.URLENC).formParam("token", IngestInfra.TOKEN)
                .formParam("next", "/console/skills").post("/console/login");
        assertThat(r.statusCode()).isEqualTo(303);
        return r.getCookie(ConsoleSession.COOKIE);
    }

    @Test
    void pagesNeedASessionAndTheLoginSetsAnHttpOnlyCookieThatIsNotTheToken() {
        given().redirects().follow(false).get("/console/runs").then().statusCode(303)
                .header("Location", containsString("/console/login?next=%2Fconsole%2Fruns"));
        given().header("HX-Request", "true").get("/console/runs/table").then().statusCode(401).header("HX-Redirect", "/console/login");
        given().contentType(ContentType.URLENC).formParam("token", "wrong").post("/console/login").then().statusCode(401)
                .body(containsString("That is not this system")).body(not(containsString("wrong")));

        Response ok = given().redirects().follow(false).contentType(ContentType.URLENC).formParam("token", IngestInfra.TOKEN)
                .formParam("next", "/console/skills").post("/console/login");
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.header("Location")).endsWith("/console/skills");
        String setCookie = ok.header("Set-Cookie");
        assertThat(setCookie).startsWith(ConsoleSession.COOKIE + "=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict")
                .contains("Path=/console").doesNotContain(IngestInfra.TOKEN);
        given().cookie(ConsoleSession.COOKIE, ok.getCookie(ConsoleSession.COOKIE)).get("/console/skills").then().statusCode(200)
                .contentType(ContentType.HTML).body(containsString("<script src=\"/webjars/htmx.org/"));
        // a forged or tampered cookie is no session
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, ok.getCookie(ConsoleSession.COOKIE) + "x").get("/console/skills")
                .then().statusCode(303);
    }

    @Test
    void theLoginNeverRedirectsOffTheConsole() {
        for (String next : new String[]{"//evil.example/x", "https://evil.example/", "/console/\\\\evil", "/elsewhere"}) {
            given().redirects().follow(false).contentType(ContentType.URLENC).formParam("token", IngestInfra.TOKEN).formParam("next", next)
                    .post("/console/login").then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith("/console/runs"));
        }
    }

    @Test
    void changesNeedTheSessionsCsrfToken() {
        String session = login();
        given().cookie(ConsoleSession.COOKIE, session).post("/console/runs/no-such-run/cancel").then().statusCode(403);
        String page = given().cookie(ConsoleSession.COOKIE, session).get("/console/skills").then().statusCode(200).extract().asString();
        var m = java.util.regex.Pattern.compile("X-CSRF-Token&quot;:&quot;([^&]+)&quot;|\"X-CSRF-Token\":\"([^\"]+)\"").matcher(page);
        assertThat(m.find()).as("the page carries the CSRF token for htmx").isTrue();
        String csrf = m.group(1) != null ? m.group(1) : m.group(2);
        given().cookie(ConsoleSession.COOKIE, session).header(ConsoleSession.CSRF_HEADER, csrf).post("/console/runs/no-such-run/cancel")
                .then().statusCode(org.hamcrest.Matchers.not(403));
    }

    @Test
    void skillTextIsEscapedAndHtmxIsServedByTheApp() {
        String v1 = "{\"name\":\"console-escape\",\"files\":{\"SKILL.md\":\"---\\nname: console-escape\\ndescription: Escaping check.\\n---\\n# X\\n\"}}";
        String v2 = "{\"name\":\"console-escape\",\"files\":{\"SKILL.md\":\"---\\nname: console-escape\\ndescription: Escaping check.\\n---\\n# X\\n\\n<script>alert(1)</script> <img src=x onerror=alert(2)>\\n\"}}";
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(v1).post("/v1/skills").then().statusCode(201);
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(v2).post("/v1/skills").then().statusCode(201);
        String session = login();
        String diff = given().cookie(ConsoleSession.COOKIE, session).queryParam("from", 1).queryParam("to", 2)
                .get("/console/skills/console-escape/diff").then().statusCode(200).extract().asString();
        assertThat(diff).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)").doesNotContain("<img src=x");
        given().get("/webjars/htmx.org/2.0.8/dist/htmx.min.js").then().statusCode(200).body(containsString("htmx"));
    }
}
