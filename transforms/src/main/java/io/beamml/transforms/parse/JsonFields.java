package io.beamml.transforms.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.beamml.transforms.deadletter.Reasons;
import java.io.IOException;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The top-level fields of one JSON object that a record needs, read with Jackson's streaming
 * parser: no tree is built, unknown fields are skipped unread, and a scalar is kept as its text
 * beside its token so that a type mismatch is reported as {@code wrong_type}, not guessed away.
 */
final class JsonFields implements RecordFields {

  private static final JsonFactory FACTORY = new JsonFactory();

  private final List<String> names;
  private final JsonToken[] tokens;
  private final String[] texts;

  private JsonFields(List<String> names) {
    this.names = names;
    this.tokens = new JsonToken[names.size()];
    this.texts = new String[names.size()];
  }

  /**
   * Reads {@code json}, which must be exactly one JSON object, keeping the fields in {@code names}.
   * A duplicated known field is malformed: which value was meant cannot be told.
   */
  static JsonFields read(String json, List<String> names) throws ParseFailure {
    JsonFields fields = new JsonFields(names);
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new ParseFailure(
            Reasons.MALFORMED_JSON, "expected a JSON object, found " + describe(first));
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        int index = names.indexOf(parser.currentName());
        JsonToken value = parser.nextToken();
        if (index < 0) {
          parser.skipChildren();
          continue;
        }
        if (fields.tokens[index] != null) {
          throw new ParseFailure(
              Reasons.MALFORMED_JSON, "field " + names.get(index) + " appears twice");
        }
        fields.tokens[index] = value;
        if (value.isScalarValue()) {
          fields.texts[index] = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT) {
        throw new ParseFailure(Reasons.MALFORMED_JSON, "JSON object is not closed");
      }
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw new ParseFailure(
            Reasons.MALFORMED_JSON, "unexpected " + describe(trailing) + " after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new ParseFailure(
          Reasons.MALFORMED_JSON,
          "invalid JSON at column "
              + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr())
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ParseFailure(Reasons.MALFORMED_JSON, "invalid JSON: " + e.getMessage());
    }
    return fields;
  }

  /**
   * The text of one top-level string field, reading no further than needed; null when the line is
   * not a JSON object, or the field is absent, null or not a string.
   */
  static @Nullable String readString(String json, String name) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        boolean wanted = name.equals(parser.currentName());
        JsonToken value = parser.nextToken();
        if (wanted) {
          return value == JsonToken.VALUE_STRING ? parser.getText() : null;
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public @Nullable String string(String name) throws ParseFailure {
    return value(name, JsonToken.VALUE_STRING, null, "a string");
  }

  @Override
  public @Nullable String number(String name) throws ParseFailure {
    return value(name, JsonToken.VALUE_NUMBER_INT, JsonToken.VALUE_NUMBER_FLOAT, "a number");
  }

  @Override
  public @Nullable String integer(String name) throws ParseFailure {
    return value(name, JsonToken.VALUE_NUMBER_INT, null, "an integer");
  }

  private @Nullable String value(
      String name, JsonToken expected, @Nullable JsonToken alsoAccepted, String expectedText)
      throws ParseFailure {
    int index = names.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("field " + name + " was not read");
    }
    JsonToken token = tokens[index];
    if (token == null || token == JsonToken.VALUE_NULL) {
      return null;
    }
    if (token != expected && token != alsoAccepted) {
      throw new ParseFailure(
          Reasons.WRONG_TYPE, name + " must be " + expectedText + ", found " + describe(token));
    }
    return texts[index];
  }

  private static String describe(@Nullable JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    switch (token) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.asString() == null ? token.name() : token.asString();
    }
  }
}
