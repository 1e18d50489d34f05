package dev.trace2skill.ingest;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

@QuarkusTest
class SkillRegistryTest {
    static String skillJson(String body) {
        return "{\"name\":\"registry-demo\",\"files\":{\"SKILL.md\":\"---\\nname: registry-demo\\ndescription: Demo.\\n---\\n" + body
                + "\",\"references/notes.md\":\"# Notes\\n\"}}";
    }

    @Test
    void versionsAreImmutableNumberedAndContentAddressed() throws Exception {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(skillJson("# Demo\\n\\n## Rules\\n- one\\n"))
                .post("/v1/skills").then().statusCode(201).body("version", equalTo(1)).body("created", equalTo(true));
        // the same content again is the same version
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(skillJson("# Demo\\n\\n## Rules\\n- one\\n"))
                .post("/v1/skills").then().statusCode(200).body("version", equalTo(1)).body("created", equalTo(false));
        // as a zip, with different content: version 2
        byte[] zip = HostileInputTest.zip(Map.of("registry-demo/SKILL.md", "---\nname: registry-demo\ndescription: Demo.\n---\n# Demo\n\n## Rules\n- one\n- two\n",
                "registry-demo/references/notes.md", "# Notes\n"), null);
        given().auth().oauth2(IngestInfra.TOKEN).contentType("application/zip").body(zip)
                .post("/v1/skills").then().statusCode(201).body("version", equalTo(2));

        given().get("/v1/skills").then().statusCode(200).body("name", hasItem("registry-demo"));
        given().get("/v1/skills/registry-demo/versions").then().statusCode(200).body("version", org.hamcrest.Matchers.contains(1, 2));
        given().get("/v1/skills/registry-demo/versions/2").then().statusCode(200)
                .body("files.'SKILL.md'", containsString("- two")).body("files.'references/notes.md'", equalTo("# Notes\n"));
        byte[] downloaded = given().accept("application/zip").get("/v1/skills/registry-demo/versions/2")
                .then().statusCode(200).contentType("application/zip").extract().asByteArray();
        var bundle = dev.trace2skill.core.skill.SkillArchive.read(downloaded, null, dev.trace2skill.core.skill.SkillArchive.Limits.DEFAULT);
        assertThat(bundle.name()).isEqualTo("registry-demo");
        assertThat(bundle.text("SKILL.md")).contains("- two");
        given().queryParam("from", 1).queryParam("to", 2).get("/v1/skills/registry-demo/diff")
                .then().statusCode(200).body(containsString("+- two"));
        given().get("/v1/skills/registry-demo/versions/9").then().statusCode(404);
        given().queryParam("from", 1).get("/v1/skills/registry-demo/diff").then().statusCode(400).body("errors[0].field", equalTo("to"));
    }

    @Test
    void invalidSkillsListEveryViolation() {
        String bad = "{\"name\":\"Bad\",\"files\":{\"SKILL.md\":\"---\\nname: Bad\\ndescription: \\\"\\\"\\ncompatibility: \\\"\\\"\\nextra: 1\\n---\\nbody\\n\"}}";
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(bad).post("/v1/skills")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", hasItem("SKILL.md:name.pattern"))
                .body("errors.field", hasItem("SKILL.md:description.length"))
                .body("errors.field", hasItem("SKILL.md:compatibility.length"))
                .body("errors.field", hasItem("SKILL.md:front-matter.unknown-key"))
                .body("errors.size()", equalTo(4));
    }
}
