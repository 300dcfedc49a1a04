package io.beamml.training;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/** The commands' options can be registered together (as a CLI does) and parse their flags. */
public class OptionsTest {

  @Test
  public void allOptionInterfacesRegisterTogetherAndParse() {
    PipelineOptionsFactory.register(TrainOptions.class);
    PipelineOptionsFactory.register(PromoteOptions.class);
    PipelineOptionsFactory.register(RegisterOptions.class);

    TrainOptions train =
        PipelineOptionsFactory.fromArgs(
                "--registry=r",
                "--trainingSet=s",
                "--modelName=m",
                "--param=eta=0.05",
                "--param=max_depth=6,seed=3")
            .withValidation()
            .as(TrainOptions.class);
    assertEquals(List.of("eta=0.05", "max_depth=6", "seed=3"), train.getParam());
    assertNull(train.getMinAuc());

    PromoteOptions promote =
        PipelineOptionsFactory.fromArgs(
                "--registry=r", "--model=m:3", "--force", "--reason=why not")
            .withValidation()
            .as(PromoteOptions.class);
    assertEquals("champion", promote.getAlias());
    assertTrue(promote.getForce());
    assertNull(promote.getMinAuc());
    assertEquals(0.01, promote.getMaxAucDrop(), 0);

    RegisterOptions register =
        PipelineOptionsFactory.fromArgs(
                "--registry=r", "--modelName=m", "--modelFile=f.ubj", "--featureNames=a,b,c")
            .withValidation()
            .as(RegisterOptions.class);
    assertEquals(List.of("a", "b", "c"), register.getFeatureNames());
  }
}
