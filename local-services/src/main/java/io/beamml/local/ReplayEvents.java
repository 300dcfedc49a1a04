package io.beamml.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.transforms.parse.CsvLine;
import io.beamml.transforms.parse.EventTimes;
import io.beamml.transforms.parse.ParseFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Generated (or sample) data files as the messages of the clicks and orders topics: each click line
 * as it is, each sales CSV row as the orders JSON with the same fields, in event-time order. Broken
 * rows stay broken (a row that is not CSV is sent as it is), so the stream meets the same bad input
 * the backfill does.
 */
public final class ReplayEvents {

  /** Which topic a message belongs to. */
  public enum Kind {
    CLICK,
    ORDER
  }

  /**
   * One message: its topic, the event time read from it (null when unreadable; then it sorts as its
   * file predecessor) and its text.
   */
  public record Message(Kind kind, @Nullable Long eventTime, long sortTime, String value) {

    /**
     * The message as if it happened at {@code millis}: its time field rewritten (in UTC), other
     * fields untouched. Messages without a readable time are returned as they are.
     */
    public Message at(long millis) {
      if (eventTime == null) {
        return this;
      }
      try {
        JsonNode node = MAPPER.readTree(value);
        if (!(node instanceof ObjectNode object)) {
          return this;
        }
        object.put(
            kind == Kind.CLICK ? "event_time" : "order_time",
            Instant.ofEpochMilli(millis).toString());
        return new Message(kind, millis, millis, MAPPER.writeValueAsString(object));
      } catch (IOException e) {
        return this;
      }
    }

    /** The event or order id, or null for a message that is not a JSON object with one. */
    public @Nullable String id() {
      try {
        JsonNode id = MAPPER.readTree(value).path(kind == Kind.CLICK ? "event_id" : "order_id");
        return id.isTextual() ? id.asText() : null;
      } catch (IOException e) {
        return null;
      }
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  private static final List<String> ORDER_FIELDS =
      List.of(
          "order_id", "customer_id", "product_id", "quantity", "amount", "currency", "order_time");
  private static final String SALES_HEADER = String.join(",", ORDER_FIELDS);

  private ReplayEvents() {}

  /**
   * Clicks ({@code clicks/*.jsonl}) and sales ({@code sales/*.csv}) under {@code dataDir}, sorted
   * by event time.
   */
  public static List<Message> load(Path dataDir) {
    List<Message> messages = new ArrayList<>();
    for (Path file : files(dataDir.resolve("clicks"), ".jsonl")) {
      addInFileOrder(
          messages,
          lines(file).stream()
              .map(line -> message(Kind.CLICK, EventTimes.clickEventTime(line), line))
              .collect(Collectors.toList()));
    }
    for (Path file : files(dataDir.resolve("sales"), ".csv")) {
      addInFileOrder(
          messages,
          lines(file).stream()
              .filter(line -> !line.strip().equals(SALES_HEADER))
              .map(ReplayEvents::orderJson)
              .map(json -> message(Kind.ORDER, EventTimes.orderEventTime(json), json))
              .collect(Collectors.toList()));
    }
    messages.sort(Comparator.comparingLong(Message::sortTime));
    return messages;
  }

  /**
   * One sales CSV row as the orders JSON; a row that does not split into the seven fields is sent
   * as it is.
   */
  public static String orderJson(String csvRow) {
    List<String> fields;
    try {
      fields = CsvLine.split(csvRow.replace("\r", ""));
    } catch (ParseFailure e) {
      return csvRow;
    }
    if (fields.size() != ORDER_FIELDS.size()) {
      return csvRow;
    }
    ObjectNode node = MAPPER.createObjectNode();
    for (int i = 0; i < fields.size(); i++) {
      String name = ORDER_FIELDS.get(i);
      String text = fields.get(i);
      if (text.isEmpty()) {
        continue;
      }
      if (name.equals("quantity") && INTEGER.matcher(text).matches()) {
        node.put(name, new BigDecimal(text).toBigIntegerExact());
      } else if (name.equals("amount") && NUMBER.matcher(text).matches()) {
        node.put(name, new BigDecimal(text));
      } else {
        node.put(name, text);
      }
    }
    return node.toString();
  }

  private static Message message(Kind kind, @Nullable Long eventTime, String value) {
    return new Message(kind, eventTime, eventTime == null ? Long.MIN_VALUE : eventTime, value);
  }

  /** Messages without a time sort right after the one before them in their file. */
  private static void addInFileOrder(List<Message> out, List<Message> file) {
    long previous = Long.MIN_VALUE;
    for (Message m : file) {
      if (m.eventTime() == null) {
        out.add(new Message(m.kind(), null, previous, m.value()));
      } else {
        previous = m.eventTime();
        out.add(m);
      }
    }
  }

  private static List<Path> files(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(f -> f.getFileName().toString().endsWith(suffix))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
