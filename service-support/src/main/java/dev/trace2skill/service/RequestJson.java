package dev.trace2skill.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.trace2skill.core.text.TextRules;
import dev.trace2skill.core.trajectory.FieldError;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies read as JSON by the REST layer hold no NUL and no lone surrogate in any string or field name: such
 * text cannot be stored as sent (PostgreSQL refuses NUL; UTF-8 replaces a lone surrogate), so it is refused while
 * the body is read — a 422 problem naming the field ({@link InvalidText}) — instead of a 500 from the database or a
 * silently altered value.
 */
@Singleton
public class RequestJson implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("t2s-request-text");
        module.addDeserializer(String.class, new CheckedString());
        module.addKeyDeserializer(String.class, new CheckedKey());
        module.addDeserializer(JsonNode.class, new CheckedTree());
        mapper.registerModule(module);
    }

    /** Text in a request body that no store could keep as sent; maps to 422 with the field's path. */
    public static final class InvalidText extends JsonMappingException {
        public InvalidText(JsonParser p, String message) {
            super(p, message);
        }
    }

    static final class CheckedString extends StdScalarDeserializer<String> {
        CheckedString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = StringDeserializer.instance.deserialize(p, ctxt);
            String problem = TextRules.text(s);
            if (problem != null) {
                throw new InvalidText(p, problem);
            }
            return s;
        }
    }

    static final class CheckedKey extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            String problem = TextRules.text(key);
            if (problem != null) {
                throw new InvalidText(ctxt.getParser(), "has a key that " + problem);
            }
            return key;
        }
    }

    static final class CheckedTree extends StdScalarDeserializer<JsonNode> {
        CheckedTree() {
            super(JsonNode.class);
        }

        @Override
        public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = JsonNodeDeserializer.getDeserializer(JsonNode.class).deserialize(p, ctxt);
            List<FieldError> errors = new ArrayList<>();
            TextRules.json(tree, "", errors, 1);
            if (!errors.isEmpty()) {
                FieldError e = errors.get(0);
                InvalidText ex = new InvalidText(p, e.message());
                ex.prependPath(new JsonMappingException.Reference(null, e.field().isEmpty() ? "(body)" : e.field()));
                throw ex;
            }
            return tree;
        }

        @Override
        public JsonNode getNullValue(DeserializationContext ctxt) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
    }
}
