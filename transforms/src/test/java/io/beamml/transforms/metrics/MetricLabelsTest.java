package io.beamml.transforms.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class MetricLabelsTest {

  @Test
  public void buildsTheAgreedForm() {
    assertEquals(
        "dead_letters{source=clicks,step=parse,reason=blank_line}",
        MetricLabels.name(
            "dead_letters", "source", "clicks", "step", "parse", "reason", "blank_line"));
    assertEquals("windows_measured", MetricLabels.name("windows_measured"));
  }

  @Test
  public void parsesLabelsBackInTheirOrder() {
    MetricLabels.Labelled parsed =
        MetricLabels.parse("predictions{model=promo,version=3,variant=champion}");
    assertEquals("predictions", parsed.family());
    assertEquals(List.of("model", "version", "variant"), List.copyOf(parsed.labels().keySet()));
    assertEquals(List.of("promo", "3", "champion"), List.copyOf(parsed.labels().values()));
  }

  @Test
  public void aPlainNameIsAFamilyWithoutLabels() {
    MetricLabels.Labelled parsed = MetricLabels.parse("clicks.parsed");
    assertEquals("clicks.parsed", parsed.family());
    assertEquals(Map.of(), parsed.labels());
  }

  @Test
  public void anyValueSurvivesTheRoundTrip() {
    String awkward = "a{b}=c,d\\e";
    String name = MetricLabels.name("f", "k", awkward, "empty", "", "x", "=,{}");
    assertEquals("f{k=a\\{b\\}\\=c\\,d\\\\e,empty=,x=\\=\\,\\{\\}}", name);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("k", awkward);
    expected.put("empty", "");
    expected.put("x", "=,{}");
    assertEquals(new MetricLabels.Labelled("f", expected), MetricLabels.parse(name));
  }

  @Test
  public void aScaleLabelNamesTheFactorValuesWereMultipliedBy() {
    assertEquals(
        1_000_000L,
        MetricLabels.scale(
            MetricLabels.parse(
                MetricLabels.name("statistic", "feature", "age", MetricLabels.SCALE, "1000000"))));
    assertEquals(1L, MetricLabels.scale(MetricLabels.parse("statistic{feature=age}")));
    assertThrows(
        IllegalArgumentException.class,
        () -> MetricLabels.scale(MetricLabels.parse("s{__scale=0}")));
    assertThrows(
        IllegalArgumentException.class,
        () -> MetricLabels.scale(MetricLabels.parse("s{__scale=1e6}")));
  }

  @Test
  public void refusesWhatCannotBeALabelledName() {
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name("f", "k"));
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name("f", "1k", "v"));
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name("f", "k-x", "v"));
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name("f", "k", null));
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name("f", "k", "a", "k", "b"));
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name("f{", "k", "v"));
    assertThrows(IllegalArgumentException.class, () -> MetricLabels.name(" ", "k", "v"));
  }

  @Test
  public void refusesMalformedLabelLists() {
    for (String bad :
        List.of(
            "f{",
            "f{}",
            "{k=v}",
            "f{k}",
            "f{k=v",
            "f{k=v,}",
            "f{k=v}x",
            "f{k=a=b}",
            "f{k=v,k=w}",
            "f{k=v\\}",
            "f}{k=v}",
            "f{1=v}")) {
      assertThrows(bad, IllegalArgumentException.class, () -> MetricLabels.parse(bad));
    }
  }
}
