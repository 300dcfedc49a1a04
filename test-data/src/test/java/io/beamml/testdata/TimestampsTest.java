package io.beamml.testdata;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Timestamps carry mixed offsets, and the written text always denotes the generated instant. */
public class TimestampsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void everyRenderedEventTimeIsTheStoredInstant() {
    GeneratorConfig config = GeneratorConfig.of(200, 5, 5L);
    Rng root = new Rng(5L);
    Population population = Population.generate(config, root.split());
    ClickLog clicks = new ClickLog();
    OrderLog orders = new OrderLog();
    ShoppingSimulator.simulate(
        config, population, Catalog.generate(root.split()), root.split(), clicks, orders);
    assertTrue(clicks.size() > 1000);
    assertTrue(orders.size() > 10);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < clicks.size(); i++) {
      sb.setLength(0);
      clicks.appendJson(i, sb);
      JsonNode node = ContractReader.json(sb.toString());
      assertEquals(
          clicks.time(i),
          ContractReader.instant(node.get("event_time").textValue()).toEpochMilli());
    }
    for (int i = 0; i < orders.size(); i++) {
      sb.setLength(0);
      orders.appendCsv(i, sb);
      String time = sb.toString().split(",")[6];
      assertEquals(orders.time(i), ContractReader.instant(time).toEpochMilli());
    }
  }

  @Test
  public void filesMixZuluAndNonZeroOffsetsAndStayInThePeriod() throws IOException {
    Path out = tmp.newFolder("data").toPath();
    GeneratorConfig config = GeneratorConfig.of(120, 6, 21L).withIncludeOversizedLines(false);
    GenerationManifest manifest = DataGenerator.generate(config, out);
    Instant start = Instant.ofEpochMilli(config.startEpochMs());
    Instant end = Instant.ofEpochMilli(config.endEpochMs());

    Set<String> offsets = new HashSet<>();
    int localDateDiffers = 0;
    SourceLines clicks = SourceLines.read(out, manifest.clicks(), null);
    for (SourceLines.DataLine line : clicks.lines) {
      if (!ContractReader.clickReasons(line.content).isEmpty()) {
        continue;
      }
      String text = ContractReader.json(line.content).get("event_time").textValue();
      Instant t = ContractReader.instant(text);
      assertTrue(text, !t.isBefore(start) && t.isBefore(end));
      offsets.add(text.substring(23));
      LocalDate local = LocalDate.parse(text.substring(0, 10));
      localDateDiffers += local.equals(LocalDate.ofInstant(t, ZoneOffset.UTC)) ? 0 : 1;
    }
    assertTrue(offsets.toString(), offsets.contains("Z"));
    assertTrue(offsets.toString(), offsets.contains("+02:00"));
    assertTrue(offsets.toString(), offsets.contains("-05:00"));
    assertTrue(offsets.size() >= 5);
    assertTrue(localDateDiffers > 0);

    SourceLines sales = SourceLines.read(out, manifest.sales(), DataGenerator.SALES_HEADER);
    int orders = 0;
    for (SourceLines.DataLine line : sales.lines) {
      if (!ContractReader.salesReasons(line.content).isEmpty()) {
        continue;
      }
      Instant t = ContractReader.instant(line.content.split(",")[6]);
      String fileDate = line.file.substring("sales/sales-".length(), line.file.length() - 4);
      assertEquals(line.content, fileDate, LocalDate.ofInstant(t, ZoneOffset.UTC).toString());
      assertEquals(0, t.getNano());
      orders++;
    }
    assertTrue(orders > 10);
  }
}
